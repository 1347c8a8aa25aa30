import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// The queries the whole-store commands use agree with the loaded state (issue 11).
@Suite struct ListingTests {
    @Test func queriesAgreeWithTheStateAndLoadingManyIdsWorks() throws {
        let folder = try TemporaryFolder()
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let body = String(repeating: "The council voted on Tuesday to close the bridge. ", count: 60)
        let article = ArticleText.id(of: body)
        try desk.commit(time: 1) { _ in [.createArticle(id: article, body: body), .addTag(entity: article, tag: "council")] }
        // 2,500 annotations in one change: more ids than one load statement names.
        try desk.commit(time: 2) { dot in
            var operations: [Operation] = []
            for index in 0..<2_500 {
                let id = ID128.annotation(createdAt: dot, index: operations.count)  // derived from the operation's index
                let anchor = try QuoteAnchoring.anchor(quote: "bridge", in: body, occurrence: 1 + index % 60)
                operations.append(.createAnnotation(id: id, article: article, anchor: anchor))
                if index % 2 == 0 { operations.append(.addTag(entity: id, tag: "even")) }
            }
            return operations
        }
        let state = try desk.state()
        let deleted = try #require(state.annotations.keys.sorted().first)
        try desk.commit(time: 3) { _ in [.deleteAnnotation(id: deleted)] }
        let after = try desk.state()

        #expect(try desk.counts() == (1, 2_499))
        let live = after.liveAnnotations
        #expect(try desk.liveAnnotationIDs() == live.map(\.id), "reading order")
        #expect(try desk.liveAnnotationIDs(tag: "even") == live.filter { $0.tags.contains("even") }.map(\.id))
        #expect(try desk.liveAnnotationIDs(of: article).count == 2_499)
        let loaded = try desk.state(of: Set(live.map(\.id)))
        #expect(loaded.annotations.count == 2_499 && loaded.annotations == after.annotations.filter { $0.key != deleted })
        let (ids, counts) = try desk.articleIDs(tag: "council")
        #expect(ids == [article] && counts[article] == 2_499)
        #expect(try desk.articleIDs(tag: "none").ids.isEmpty)
        #expect(try desk.conflictedEntities().isEmpty && after.conflicts.isEmpty)

        // A conflict, found by query as the state finds it.
        let field = try GlossStore.create(at: folder.file("field.sqlite"), storeID: desk.identity.storeID, name: "field")
        try field.apply(try desk.signedChanges())
        let target = live[7].id
        try desk.commit(time: 4) { _ in
            [.set(entity: target, field: .note, value: "desk"), .set(entity: article, field: .title, value: "A")]
        }
        try field.commit(time: 4) { _ in
            [.set(entity: target, field: .note, value: "field"), .set(entity: article, field: .title, value: "B")]
        }
        try desk.apply(try field.signedChanges(since: try desk.clock()))
        let conflicts = try desk.state().conflicts
        #expect(try desk.conflictedEntities() == Set(conflicts.map(\.entity)) && conflicts.count == 2)
    }
}

extension ListingTests {
    @Test func theLogReadInPagesIsTheWholeLogNewestFirst() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let body = "The council voted on Tuesday."
        let article = ArticleText.id(of: body)
        try store.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        for index in 0..<20 {
            try store.commit(time: UInt64(2 + index)) { _ in [.set(entity: article, field: .title, value: "Title \(index)")] }
        }
        var pages: [[Change]] = []
        var before: Int64?
        for _ in 0..<10 {
            let page = try store.logPage(before: before, limit: 7)
            pages.append(page.changes)
            before = page.next
            if before == nil { break }
        }
        #expect(pages.map(\.count) == [7, 7, 7, 0], "21 changes in pages of 7; a full page cannot know it was the last")
        #expect(pages.flatMap { $0 } == (try store.log()))
        #expect(try store.logPage(before: nil, limit: 22).next == nil, "a page that is not full is the last")
    }
}

extension ReplicaState {
    /// Annotations not deleted, in reading order (article, start, end, id), as the CLI lists them.
    fileprivate var liveAnnotations: [AnnotationState] {
        annotations.values.filter(\.presence.isAlive)
            .sorted { ($0.article, $0.anchor.start, $0.anchor.end, $0.id) < ($1.article, $1.anchor.start, $1.anchor.end, $1.id) }
    }
}

extension ListingTests {
    /// The archived articles found by query are those the state shows archived, whatever the
    /// history: random edits on three replicas (archives, unarchives and concurrent writes of
    /// `archived` among them), merged into one store.
    @Test(arguments: 0..<3) func archivedArticlesByQueryAgreeWithTheState(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 0xA2C4 + seed)
        var replicas = (1...3).map { SimulatedReplica(number: UInt64($0)) }
        try replicas[0].perform(ImportIntent(articles: RandomEdits.texts.map { .init(body: $0) }))
        let articles = RandomEdits.texts.map(ArticleText.id(of:))
        for round in 0..<40 {
            for index in replicas.indices {
                _ = try replicas[index].editRandomly(using: &random)
                // Archive or unarchive an article the replica holds, often concurrently with another.
                let held = articles.filter { replicas[index].state.articles[$0] != nil }
                if let article = held.randomElement(using: &random), random.chance(50) {
                    let value = ["yes", "", "archived"].randomElement(using: &random)!
                    try replicas[index].perform(EditIntent(target: article, fields: [.archived: value]))
                }
            }
            if round % 5 == 4 {  // now and then, everyone syncs with everyone
                let all = replicas.flatMap(\.log)
                for index in replicas.indices { try replicas[index].receive(all) }
            }
        }
        let store = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let log = replicas.flatMap(\.log)
        try store.apply(TestKeys.sign(CausalOrder.arrange(log, after: VersionVector()).ready, store: store.identity.storeID))
        let state = try store.state()
        let shown = Set(state.articles.values.filter(\.isArchived).map(\.id))
        #expect(try store.archivedArticleIDs() == shown)
        #expect(state.conflicts.contains { $0.field == Field.archived.rawValue }, "the history should hold concurrent writes of archived")
    }
}
