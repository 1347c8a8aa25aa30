import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// A large bundle committed a slice at a time (`GlossStore.applyInSlices`, issue 11).
@Suite struct SliceApplyTests {
    /// Three replicas of one store that annotate an article and sync around a ring, so their
    /// changes interleave and depend on each other; the desk ends holding all of them.
    static func replicas(in folder: TemporaryFolder, rounds: Int) throws -> (desk: GlossStore, all: [GlossStore]) {
        let body = RandomEdits.texts[0]
        let article = ArticleText.id(of: body)
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        try desk.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        let stores =
            [desk]
            + (try ["field", "hub"].map { (name: String) in
                try GlossStore.create(at: folder.file(name + ".sqlite"), storeID: desk.identity.storeID, name: name)
            })
        var time: UInt64 = 1
        for _ in 0..<rounds {
            for store in stores where try store.clock()[desk.identity.replicaID] > 0 {
                for _ in 0..<4 {
                    time += 1
                    try store.commit(time: time) { dot in
                        let id = ID128.annotation(createdAt: dot, index: 0)
                        let anchor = try QuoteAnchoring.anchor(quote: "Kursk", in: body, occurrence: 1)
                        return [
                            .createAnnotation(id: id, article: article, anchor: anchor), .set(entity: id, field: .note, value: "n\(time)"),
                        ]
                    }
                }
            }
            for (from, to) in zip(stores, stores.dropFirst() + [stores[0]]) { try to.apply(try from.signedChanges(since: try to.clock())) }
        }
        for other in stores.dropFirst() { try desk.apply(try other.signedChanges(since: try desk.clock())) }
        return (desk, stores)
    }

    @Test func aBundleOfReplicasThatSyncedAppliesInSlicesToTheSameState() throws {
        let folder = try TemporaryFolder()
        let (desk, _) = try Self.replicas(in: folder, rounds: 15)
        let batch = try desk.signedChanges()
        let chains = try batch.verify(store: desk.identity.storeID)
        let slices = batch.slices(chains: chains, target: 40)
        #expect(slices.count >= 5, "the stores' own and received checkpoints let it cut: \(slices.map(\.batch.changes.count))")

        let copy = try GlossStore.create(at: folder.file("copy.sqlite"), storeID: desk.identity.storeID, name: "copy")
        let report = try copy.applyInSlices(batch, target: 40)
        #expect(report.applied == batch.changes.count)
        #expect(try copy.digest().digest == (try desk.digest().digest))
        #expect(try copy.state() == (try desk.state()))
        let again = try copy.applyInSlices(batch, target: 40)
        #expect(again.applied == 0 && again.alreadyHeld == batch.changes.count, "applying it again changes nothing")
        // The copy can sign the whole history on, as the desk could.
        #expect(try copy.signedChanges().changes.count == batch.changes.count)
    }

    /// Readiness is checked on the whole batch before the first slice: one whose changes need
    /// changes this store lacks writes nothing, wherever in the batch they are.
    @Test func aBatchMissingPredecessorsWritesNothing() throws {
        let folder = try TemporaryFolder()
        let (desk, _) = try Self.replicas(in: folder, rounds: 5)
        // What a peer holding half of each author's changes lacks.
        let since = VersionVector(Dictionary(uniqueKeysWithValues: try desk.clock().sortedEntries.map { ($0.replica, $0.seq / 2) }))
        let partial = try desk.signedChanges(since: since)
        #expect(!partial.changes.isEmpty)
        let fresh = try GlossStore.create(at: folder.file("fresh.sqlite"), storeID: desk.identity.storeID, name: "fresh")
        let error = #expect(throws: GlossStoreError.self) { try fresh.applyInSlices(partial, target: 10) }
        // Counted over the whole batch, not one slice of 10.
        #expect(
            error?.code == .missingPredecessors && error?.message.hasPrefix("\(partial.changes.count) changes need") == true, "\(error!)")
        #expect(try fresh.clock() == VersionVector(), "nothing written")
    }
}
