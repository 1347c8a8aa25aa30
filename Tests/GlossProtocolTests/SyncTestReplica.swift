import GlossCore
import GlossProtocol
import GlossTestSupport

/// The store side of a sync session, without SQLite: a `ReplicaState` and its log in arrival
/// order, applying each received batch all or none as `GlossStore.apply` does.
/// Its random edits are GlossTestSupport's `RandomEdits`, as `SimulatedReplica`'s are.
struct SyncTestReplica: Sendable {
    let id: ReplicaID
    var name: String
    /// `SyncMessage.anyStore` until a cloning replica joins a store.
    var storeID: StoreID
    private(set) var state = ReplicaState()
    /// Every change held, in arrival order: a causal order, the order a feed sends them in.
    private(set) var log: [Change] = []
    private var held: [Dot: Change] = [:]
    private var tick: UInt64 = 0
    /// When set, the digest this replica reports instead of its real one (to fake a bug).
    var reportedDigestOverride: [UInt8]?

    init(number: UInt64, storeID: StoreID = SyncFixtures.store, name: String? = nil) {
        self.init(id: ID128(high: number, low: number &* 0x9E37_79B9), storeID: storeID, name: name ?? "replica \(number)")
    }

    /// A replica holding `log`, in that arrival order (each change must be ready in turn).
    init(id: ReplicaID, storeID: StoreID, name: String, log: [Change] = []) {
        self.id = id
        self.name = name
        self.storeID = storeID
        for change in log {
            _ = try! apply(batch: [change])
        }
    }

    var clock: VersionVector { state.clock }
    var digest: [UInt8] { reportedDigestOverride ?? StateDigest.of(state) }

    var local: SyncSession.Local {
        SyncSession.Local(storeID: storeID, replicaID: id, name: name, clock: clock, digest: digest)
    }

    /// The changes a peer holding `clock` lacks, from arrival position `start` on.
    func lacking(_ clock: VersionVector, from start: Int = 0) -> [(position: Int, change: Change)] {
        log.indices.dropFirst(start).filter { !clock.contains(log[$0].id) }.map { ($0, log[$0]) }
    }

    /// Applies a received batch in one step, as the store's transaction does: changes already
    /// held are skipped, the rest applied in causal order; if one is an equivocation, lacks its
    /// predecessors or breaks the model's rules, nothing is applied. Returns how many were new.
    mutating func apply(batch changes: [Change]) throws(ProtocolError) -> Int {
        var next = self
        var seen = held
        for change in changes {
            if let earlier = seen[change.id], earlier != change {
                throw ProtocolError(.equivocation, "two different changes numbered \(change.id)", at: 0)
            }
            seen[change.id] = change
        }
        let (ready, blocked) = CausalOrder.arrange(changes, after: next.state.clock)
        if let first = blocked.first {
            throw ProtocolError(.missingPredecessors, "change \(first.id) needs changes this replica lacks", at: 0)
        }
        for change in ready {
            do {
                try next.state.apply(change)
            } catch {
                throw ProtocolError(.invalidChange, error.message, at: 0)
            }
            next.log.append(change)
            next.held[change.id] = change
        }
        self = next
        return ready.count
    }

    /// Receives changes from anywhere in any order (for setting up histories), skipping what is
    /// held and holding back nothing: every change must be applicable once sorted.
    mutating func receive(_ changes: [Change]) throws {
        _ = try apply(batch: changes)
    }

    /// Writes one random local change of the kinds people make, racy ones included; nil when
    /// nothing sensible could be done from this state.
    @discardableResult
    mutating func editRandomly(using random: inout SeededGenerator) throws -> Change? {
        let dot = Dot(replica: id, seq: clock[id] + 1)
        guard let operations = randomOperations(at: dot, using: &random) else { return nil }
        tick += 1
        let change = Change(id: dot, dependencies: clock, time: 1_732_540_800_000 + tick, operations: operations)
        try state.apply(change)
        log.append(change)
        held[change.id] = change
        return change
    }

    private func randomOperations(at dot: Dot, using random: inout SeededGenerator) -> [Operation]? {
        RandomEdits.operations(on: state, at: dot, using: &random)
    }
}
