import Foundation
import GlossCore
import GlossProtocol
import GlossStore

/// The store side of a session: a store that exists, or, for `gloss clone`, one that is made
/// when the server's HELLO names the store to join.
public final class SyncReplica: @unchecked Sendable {
    // Mutated only by the one task that drives the session.
    private(set) var store: GlossStore?
    private let pendingClone: (path: String, name: String?, key: ReplicaKey, server: ReplicaID?)?
    public let replicaID: ReplicaID
    public let name: String

    public init(store: GlossStore) {
        self.store = store
        pendingClone = nil
        replicaID = store.identity.replicaID
        name = store.identity.name ?? ""
    }

    /// A replica to be created at `path` when the session learns the store id, with `key` (a
    /// retry after the server's owner trusted this device must present the same key). The new
    /// store trusts `server` read-write from its first moment, so that an interrupted clone can
    /// be finished by `gloss sync`.
    public init(cloningTo path: String, name: String?, key: ReplicaKey = ReplicaKey(), server: ReplicaID? = nil) {
        store = nil
        pendingClone = (path, name, key, server)
        replicaID = key.replicaID
        self.name = name ?? ""
    }

    public var createdStore: GlossStore? { store }

    /// The key this side proves in TLS: the store's, or the one the clone will have.
    func key() throws(GlossStoreError) -> ReplicaKey {
        if let pendingClone { return pendingClone.key }
        return try store!.replicaKey()
    }

    /// What every HELLO of this implementation announces: it reads compressed CHANGES, PING, and
    /// quotes sent by position.
    static let capabilities = [SyncProtocol.deflateCapability, SyncProtocol.pingCapability, SyncProtocol.quotesByPositionCapability]

    func local() throws(GlossStoreError) -> SyncSession.Local {
        guard let store else {
            return SyncSession.Local(
                storeID: SyncMessage.anyStore, replicaID: replicaID, name: name,
                clock: VersionVector(), digest: StateDigest.of(ReplicaState()), capabilities: Self.capabilities)
        }
        var (clock, digest) = try store.digest()
        // A store taking a new id announces only the old id's history its peers are known to
        // hold: the peer sends the rest of its history of that id, to compare (GlossStore+Recovery).
        if let recovery = try store.recovery() {
            clock[recovery.oldReplicaID] = min(clock[recovery.oldReplicaID], recovery.sharedUpTo)
        }
        return SyncSession.Local(
            storeID: store.identity.storeID, replicaID: replicaID, name: name, clock: clock, digest: digest,
            capabilities: Self.capabilities, heads: try store.signedHeads(at: clock), successions: try store.successions(),
            forks: try store.forks().compactMap { try? ForkEvidence.decode($0.evidence) })
    }

    /// The authors this replica holds proof that they forked.
    func forkedAuthors() -> [ReplicaID] {
        (try? store?.forks().map(\.author)) ?? []
    }

    /// Keeps the proofs of forks a peer's HELLO passes on (each checked; one that does not
    /// verify is ignored). Returns how many authors were new here.
    func learnForks(from hello: SyncMessage.Hello) -> Int {
        guard let store else { return 0 }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        return hello.forks.filter { (try? store.recordFork($0, time: now)) == true }.count
    }

    /// What comparing the peer's HELLO with the histories held here found (SPEC §11.5).
    enum HistoryCheck: Equatable {
        case agree
        /// The peer holds changes under this replica's own id that it lacks or holds
        /// differently: this store was restored from a backup or copied.
        case restoredHere(ProtocolError)
        /// This replica holds changes under the peer's own id that the peer lacks or holds
        /// differently: the peer's store was restored or copied.
        case restoredThere(ProtocolError)
        case refuse(ProtocolError)
    }

    /// Compares the histories the peer's HELLO vouches for with the ones held here: whether
    /// either side's store was restored or copied, and whether a third author forked (its proof
    /// is then kept, and the session goes on without that author's later changes).
    func checkHistories(against hello: SyncMessage.Hello) -> HistoryCheck {
        guard let store else { return .agree }
        let clock: VersionVector
        var forked: [ReplicaID]
        do {
            clock = try store.clock()
            forked = try store.forkedAuthors(in: hello.clock, heads: hello.heads)
            if let recovery = try store.recovery() {
                // Differences in the old id's history are what the recovery settles.
                forked.removeAll { $0 == recovery.oldReplicaID }
            }
        } catch {
            return .refuse(ProtocolError(.internalError, error.message, at: 0))
        }
        let own = replicaID
        let peer = hello.replicaID
        if hello.clock[own] > clock[own] || forked.contains(own) {
            return .restoredHere(
                ProtocolError(
                    .replicaRestored,
                    "the peer holds changes under this replica's own id (\(DeviceID(own))) that this store lacks or holds differently: this store was restored from a backup or copied from another device",
                    at: 0))
        }
        if clock[peer] > hello.clock[peer] || forked.contains(peer) {
            return .restoredThere(
                ProtocolError(
                    .replicaRestored,
                    "this replica holds changes under the peer's own id (\(DeviceID(peer))) that the peer lacks or holds differently: the peer's store was restored from a backup or copied from another device, and must take a new id before it syncs",
                    at: 0))
        }
        // Another author signed two histories: keep the proof (both heads are its signatures),
        // to pass on. Its changes from the fork on are refused and not sent; the rest syncs.
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        for (index, entry) in hello.clock.sortedEntries.enumerated() where forked.contains(entry.replica) {
            if let evidence = try? store.forkEvidence(of: entry.replica, at: entry.seq, peerHead: hello.heads[index]) {
                _ = try? store.recordFork(evidence, time: now)
            }
        }
        return .agree
    }

    func join(_ storeID: StoreID) throws(GlossStoreError) {
        guard store == nil, let pendingClone else { return }
        // The server is trusted in the same step as the store is made: a clone killed at any
        // moment leaves no store that would refuse its own server.
        let time = UInt64(Date().timeIntervalSince1970 * 1000)
        store = try GlossStore.create(
            at: pendingClone.path, storeID: storeID, name: pendingClone.name, key: pendingClone.key,
            trusting: pendingClone.server.map { ($0, time) })
    }

    func feed(since clock: VersionVector, quotesByPosition: Bool) -> ChangeFeed? {
        guard let store else { return nil }
        var since = clock
        // A store taking a new id sends nothing of its old id: its peers' history of that id is
        // the one that counts, and its own differing changes are re-issued under the new id.
        if let recovery = try? store.recovery(), let held = try? store.clock() {
            since[recovery.oldReplicaID] = max(since[recovery.oldReplicaID], held[recovery.oldReplicaID])
        }
        return store.feed(
            since: since, changeLimit: SyncProtocol.batchChangeLimit, byteLimit: SyncProtocol.batchByteLimit,
            quotesByPosition: quotesByPosition)
    }

    /// Applies a batch; with `device`, only if that device is read-write here (a server's check,
    /// made inside the batch's transaction).
    func apply(_ changes: SignedBatch, from device: ReplicaID? = nil, quotesByPosition: Bool = false) throws(GlossStoreError) -> Int {
        guard let store else { throw GlossStoreError(.noStore, "no store to apply changes to") }
        return try store.apply(changes, from: device, quotesByPosition: quotesByPosition).applied
    }

    func summary() throws(GlossStoreError) -> (VersionVector, [UInt8]) {
        guard let store else { return (VersionVector(), StateDigest.of(ReplicaState())) }
        return try store.digest()
    }

    func record(_ outcome: SyncSession.Outcome, address: String, time: UInt64) {
        try? store?.recordPeer(
            PeerRecord(
                replicaID: outcome.peer.replicaID, name: outcome.peer.name, address: address, lastSync: time,
                clock: outcome.peerClock, sent: outcome.sentChanges, received: outcome.receivedChanges
            ))
    }
}

extension GlossStoreError {
    /// The wire error code that tells the peer why its batch was refused.
    var wireCode: ProtocolError.Code {
        switch code {
        case .missingPredecessors: .missingPredecessors
        case .equivocation: .equivocation
        case .invalidChange: .invalidChange
        case .badSignature: .badSignature
        case .unsignedChange: .unsignedChange
        case .notPermitted: .notPermitted
        case .notTrusted: .notTrusted
        default: .internalError
        }
    }
}
