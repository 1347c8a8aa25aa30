import GlossCore
import GlossProtocol
import GlossStore

/// What author signatures (SPEC §6.6) add to a full sync of `store` to an empty replica,
/// measured on the batches a sync would send: the checkpoint tables' bytes, and the receiver's
/// work to check them (a chain hash per change, one Ed25519 verify per author per batch).
/// `time` is how long that checking took here, to set against the sync's wall time.
struct SigningCost {
    var changes = 0
    var batches = 0
    var unsignedBytes = 0
    var signedBytes = 0
    var verifying: Duration = .zero
    /// Computing every change's chain hash, as each local commit does once.
    var chaining: Duration = .zero

    static func measure(_ store: GlossStore) throws -> SigningCost {
        var cost = SigningCost()
        let clock = ContinuousClock()
        var feed = store.feed(since: VersionVector(), changeLimit: SyncProtocol.batchChangeLimit, byteLimit: SyncProtocol.batchByteLimit)
        while let page = try feed.next() {
            let batch = page.batch
            guard !batch.changes.isEmpty else { continue }
            cost.batches += 1
            cost.changes += batch.changes.count
            cost.unsignedBytes += ChangeBatch.encoded(batch.changes).count
            cost.signedBytes += batch.encoded().count
            let started = clock.now
            _ = try batch.verify(store: store.identity.storeID)
            cost.verifying += clock.now - started
            let chainStart = clock.now
            var chain = ChainHash.zero
            for change in batch.changes { chain = chain.extended(with: change) }
            cost.chaining += clock.now - chainStart
        }
        return cost
    }
}
