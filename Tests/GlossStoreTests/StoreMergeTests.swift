import Crypto
import Foundation
import GlossCore
import GlossTestSupport
import Testing

@testable import GlossStore

/// The store applies changes through GlossCore's rules; its merged state must be exactly the
/// in-memory reference's, whatever order and batching the changes arrive in.
@Suite struct StoreMergeTests {
    @Test(arguments: Array(UInt64(1)...UInt64(12)))
    func storeStateEqualsTheReferenceState(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicas = try RandomHistory.replicas(count: 4, steps: 120, using: &random)
        let everything = RandomHistory.union(replicas)
        var reference = ReplicaState()
        for change in CausalOrder.arrange(everything, after: VersionVector()).ready { try reference.apply(change) }

        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("store.sqlite"), name: nil)
        // Deliver in random slices of a causal order, overlapping what was delivered (repeats),
        // shuffled: every batch is applicable, and each author's changes in it are one run.
        var delivered = 0
        let ordered = CausalOrder.arrange(everything, after: VersionVector()).ready
        while delivered < ordered.count {
            let end = min(ordered.count, delivered + 1 + random.below(25))
            let start = delivered - random.below(min(delivered, 10) + 1)
            var batch = Array(ordered[start..<end])
            batch.shuffle(using: &random)
            try store.apply(TestKeys.sign(batch, store: store.identity.storeID, history: everything))
            delivered = end
        }
        let stored = try store.state()
        #expect(stored == reference, "seed \(seed)")
        #expect(StateDigest.of(stored) == StateDigest.of(reference), "seed \(seed)")
        #expect(Set(try store.changes()) == Set(everything), "seed \(seed): the log round-trips")
        #expect(try store.digest().digest == StateDigest.of(reference), "seed \(seed): the digest from stored entity hashes")
        #expect(try store.conflictCount() == reference.conflicts.count, "seed \(seed): conflicts counted by query")
        #expect(try store.conflictedEntities() == Set(reference.conflicts.map(\.entity)), "seed \(seed): conflicted entities by index")
        // The search index, kept by comparing each save with the state it replaces, holds the
        // reference's text of every entity (restored and deleted annotations included).
        var texts: [EntityID: String] = [:]
        for id in Set(reference.articles.keys).union(reference.annotations.keys) {
            texts[id] = SearchRows.text(of: id, in: reference)
        }
        #expect(try store.indexedTexts() == texts, "seed \(seed): the search index")
    }

    /// A batch larger than a chunk of the apply (`applyChunk`, 512): entities touched on both
    /// sides of a chunk's edge are loaded again from what the chunk before saved.
    @Test func aBatchOfSeveralChunksGivesTheReferenceState() throws {
        let folder = try TemporaryFolder()
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let body = String(repeating: "The council voted on Tuesday to close the bridge. ", count: 20)
        let article = ArticleText.id(of: body)
        try desk.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        var notes: [EntityID] = []
        for index in 0..<300 {
            let anchor = try QuoteAnchoring.anchor(quote: "bridge", in: body, occurrence: 1 + index % 20)
            let change = try desk.commit(time: 2) { dot in
                [.createAnnotation(id: ID128.annotation(createdAt: dot, index: 0), article: article, anchor: anchor)]
            }
            notes.append(ID128.annotation(createdAt: change.id, index: 0))
        }
        let field = try GlossStore.create(at: folder.file("field.sqlite"), storeID: desk.identity.storeID, name: "field")
        try field.apply(try desk.signedChanges())
        // Both edit every note twice, apart: conflicts, tags and deletes spread over the log.
        for round in 0..<2 {
            for (index, note) in notes.enumerated() {
                try desk.commit(time: 3) { _ in
                    [.set(entity: note, field: .note, value: "desk \(round)"), .addTag(entity: note, tag: "t\(index % 7)")]
                }
                try field.commit(time: 3) { _ in
                    index % 50 == 0 && round == 1
                        ? [.deleteAnnotation(id: note)] : [.set(entity: note, field: .note, value: "field \(round)")]
                }
            }
        }
        try field.apply(try desk.signedChanges(since: try field.clock()))
        let everything = try field.changes()
        #expect(everything.count > 1_100, "more than two chunks: \(everything.count)")
        var reference = ReplicaState()
        for change in CausalOrder.arrange(everything, after: VersionVector()).ready { try reference.apply(change) }
        let hub = try GlossStore.create(at: folder.file("hub.sqlite"), storeID: desk.identity.storeID, name: "hub")
        try hub.apply(try field.signedChanges())
        #expect(try hub.state() == reference)
        #expect(try field.state() == reference)
        #expect(try hub.digest().digest == StateDigest.of(reference))
        #expect(try hub.conflictCount() == reference.conflicts.count && reference.conflicts.count > 250)
    }

    @Test func changesSinceAVersionVectorAreExactlyWhatThePeerLacks() throws {
        var random = SplitMix64(seed: 7)
        let replicas = try RandomHistory.replicas(count: 3, steps: 100, using: &random)
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("store.sqlite"), name: nil)
        let union = RandomHistory.union(replicas)
        try store.apply(TestKeys.sign(union, store: store.identity.storeID))
        let peer = replicas[1]
        let lacking = try store.changes(since: peer.state.clock)
        #expect(Set(lacking.map(\.id)) == Set(RandomHistory.union(replicas).map(\.id)).subtracting(peer.log.map(\.id)))
        var caughtUp = peer
        try caughtUp.receive(lacking)
        #expect(caughtUp.state == (try store.state()))
    }

    @Test func aBatchWithAGapOrAnEquivocationAppliesNothing() throws {
        var random = SplitMix64(seed: 11)
        let replicas = try RandomHistory.replicas(count: 2, steps: 60, using: &random)
        let log = replicas[0].log
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("store.sqlite"), name: nil)
        let storeID = store.identity.storeID
        try store.apply(TestKeys.sign(Array(log.prefix(3)), store: storeID))
        let before = try store.state()

        let withGap = Array(log.dropFirst(4).prefix(5))
        let gap = #expect(throws: GlossStoreError.self) { try store.apply(TestKeys.sign(withGap, store: storeID, history: log)) }
        #expect(gap?.code == .missingPredecessors)
        #expect(try store.state() == before)

        // The author signs a second history in which its change 2 differs: held changes
        // compared by chain hash, the whole batch refused.
        let original = log[1]
        let forged = Change(id: original.id, dependencies: original.dependencies, time: original.time + 1, operations: original.operations)
        var forkedLog = log
        forkedLog[1] = forged
        let fork = TestKeys.sign(Array(forkedLog[1...3]), store: storeID, history: forkedLog)
        let equivocation = #expect(throws: GlossStoreError.self) { try store.apply(fork) }
        #expect(equivocation?.code == .equivocation)
        // The proof is kept (the first fork found); from then on the author's changes from the
        // fork on, of either branch, are set aside: neither applied nor refused.
        let forks = try store.forks()
        #expect(forks.map(\.author) == [original.id.replica] && forks[0].seq == original.id.seq, "\(forks)")
        let honestLater = TestKeys.sign([log[3]], store: storeID, history: log)
        let report = try store.apply(honestLater)
        #expect(report.setAside == 1 && report.applied == 0, "\(report)")
        let otherBranch = try store.apply(TestKeys.sign(Array(forkedLog[3...4]), store: storeID, history: forkedLog))
        #expect(otherBranch.setAside == 2 && otherBranch.applied == 0, "\(otherBranch)")
        #expect(try store.state() == before)
        #expect(try store.change(original.id) == original)
    }

    @Test func localCommitsTakeTheNextDotAndTheWholeClockAsContext() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("store.sqlite"), name: nil)
        let body = "A short article. It has two sentences."
        let id = ArticleText.id(of: body)
        let first = try store.commit(time: 5) { _ in
            [.createArticle(id: id, body: body), .set(entity: id, field: .title, value: "A short article.")]
        }
        let second = try store.commit(time: 6) { _ in [.addTag(entity: id, tag: "todo")] }
        #expect(first.id.seq == 1 && second.id.seq == 2 && second.covers(first.id))
        #expect(try store.clock()[store.identity.replicaID] == 2)
        #expect(try store.state().articles[id]?.tags.elements == ["todo"])
        #expect(throws: GlossStoreError.self) {
            try store.commit(time: 7) { _ in [.set(entity: ID128(high: 9, low: 9), field: .note, value: "nowhere")] }
        }
        #expect(try store.clock()[store.identity.replicaID] == 2)
    }
}

/// A change may create an article and an annotation on it, whatever order their ids sort in.
@Suite struct StoreSaveOrderTests {
    @Test func anAnnotationWhoseIDSortsBeforeItsNewArticleIsSaved() throws {
        let key = TestKeys.key(999)
        let replica = ID128.derived(fromPublicKey: Array(key.publicKey.rawRepresentation))
        let dot = Dot(replica: replica, seq: 1)
        let annotation = ID128.annotation(createdAt: dot, index: 1)
        var body = ""
        for n in 0..<200 where body.isEmpty {
            let candidate = "Article number \(n). Quote me."
            if ArticleText.id(of: candidate) > annotation { body = candidate }
        }
        try #require(!body.isEmpty)
        let article = ArticleText.id(of: body)
        let anchor = try QuoteAnchoring.anchor(quote: "Quote me", in: body, occurrence: nil)
        let change = Change(
            id: dot, dependencies: [:], time: 1,
            operations: [
                .createArticle(id: article, body: body), .createAnnotation(id: annotation, article: article, anchor: anchor),
            ])
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("s.sqlite"), name: nil)
        try store.apply(TestKeys.sign([change], store: store.identity.storeID, extraKeys: [key]))
        #expect(try store.state().annotations[annotation]?.article == article)
    }
}
