import Crypto
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
    /// The replica's own key, when its batches and HELLO heads are signed (the golden
    /// exchanges); nil for the simulations, whose batches carry no signatures.
    var key: Curve25519.Signing.PrivateKey?
    /// Signatures held, by the change they sign: received with batches, or given.
    var checkpoints: [Dot: [UInt8]] = [:]

    init(number: UInt64, storeID: StoreID = SyncFixtures.store, name: String? = nil) {
        self.init(id: ID128(high: number, low: number &* 0x9E37_79B9), storeID: storeID, name: name ?? "replica \(number)")
    }

    /// A replica holding `log`, in that arrival order (each change must be ready in turn).
    init(
        id: ReplicaID, storeID: StoreID, name: String, log: [Change] = [], key: Curve25519.Signing.PrivateKey? = nil,
        keys: [ReplicaID: AuthorKey] = [:], checkpoints: [Dot: [UInt8]] = [:]
    ) {
        self.id = id
        self.name = name
        self.storeID = storeID
        self.key = key
        self.keys = keys
        self.checkpoints = checkpoints
        if let key { self.keys[id] = AuthorKey(bytes: key.publicKey.rawRepresentation)! }
        for change in log {
            _ = try! apply(batch: [change])
        }
    }

    var clock: VersionVector { state.clock }
    var digest: [UInt8] { reportedDigestOverride ?? StateDigest.of(state) }

    var local: SyncSession.Local {
        guard key != nil else { return SyncSession.Local(storeID: storeID, replicaID: id, name: name, clock: clock, digest: digest) }
        let heads = clock.sortedEntries.map { replica, seq in
            let dot = Dot(replica: replica, seq: seq)
            return SignedHead(chain: chain(upTo: dot), signature: signature(at: dot) ?? SignedHead.unsigned.signature)
        }
        return SyncSession.Local(storeID: storeID, replicaID: id, name: name, clock: clock, digest: digest, heads: heads)
    }

    /// `chain(dot.replica, dot.seq)` over the held log.
    func chain(upTo dot: Dot) -> ChainHash {
        log.filter { $0.id.replica == dot.replica && $0.id.seq <= dot.seq }.sorted { $0.id.seq < $1.id.seq }
            .reduce(ChainHash.zero) { $0.extended(with: $1) }
    }

    /// The signature held for `dot`, or made now for this replica's own change.
    func signature(at dot: Dot) -> [UInt8]? {
        if let held = checkpoints[dot] { return held }
        guard dot.replica == id, let key else { return nil }
        return Array(try! key.signature(for: Checkpoint.message(store: storeID, author: id, seq: dot.seq, chain: chain(upTo: dot))))
    }

    /// `changes` as the batch this replica sends: signed when it has a key.
    func signed(_ changes: [Change]) -> SignedBatch {
        guard key != nil else { return SignedBatch(changes: changes, runs: []) }
        var bounds: [ReplicaID: (first: UInt64, last: UInt64)] = [:]
        for change in changes {
            let bound = bounds[change.id.replica] ?? (change.id.seq, change.id.seq)
            bounds[change.id.replica] = (min(bound.first, change.id.seq), max(bound.last, change.id.seq))
        }
        let runs = bounds.map { author, bound in
            let last = Dot(replica: author, seq: bound.last)
            let authorKey = changes.isEmpty ? nil : keys[author]
            return SignedRun(
                author: author, key: authorKey ?? AuthorKey(bytes: [UInt8](repeating: 0, count: 32))!,
                base: chain(upTo: Dot(replica: author, seq: bound.first - 1)),
                checkpoints: [Checkpoint(seq: bound.last, signature: signature(at: last) ?? SignedHead.unsigned.signature)])
        }
        return SignedBatch(changes: changes, runs: runs)
    }

    /// Authors' public keys, learned from received runs (and this replica's own).
    var keys: [ReplicaID: AuthorKey] = [:]

    /// The changes a peer holding `clock` lacks, from arrival position `start` on.
    func lacking(_ clock: VersionVector, from start: Int = 0) -> [(position: Int, change: Change)] {
        log.indices.dropFirst(start).filter { !clock.contains(log[$0].id) }.map { ($0, log[$0]) }
    }

    /// Applies a received batch in one step, as the store's transaction does: changes already
    /// held are skipped, the rest applied in causal order; if one is an equivocation, lacks its
    /// predecessors or breaks the model's rules, nothing is applied. Returns how many were new.
    /// Applies a received signed batch (signatures are not checked here: GlossStore's job),
    /// keeping its authors' keys and signatures to pass on.
    mutating func apply(signed batch: SignedBatch) throws(ProtocolError) -> Int {
        let new = try apply(batch: batch.changes)
        for run in batch.runs {
            keys[run.author] = run.key
            for checkpoint in run.checkpoints { checkpoints[Dot(replica: run.author, seq: checkpoint.seq)] = checkpoint.signature }
        }
        return new
    }

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
