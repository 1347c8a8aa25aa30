import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// A store sends quotes by position when asked, and rebuilds them on the way in, before it
/// checks the author's signature (SPEC §11.4.2b).
@Suite struct QuotesByPositionStoreTests {
    @Test func aFeedSendsQuotesByPositionAndTheReceiverRebuildsThem() throws {
        let folder = try TemporaryFolder()
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let hub = try GlossStore.create(at: folder.file("hub.sqlite"), storeID: desk.identity.storeID, name: "hub")
        let body = "The council voted on Tuesday to close the Harbour Road bridge for repairs until May."
        let article = ArticleText.id(of: body)
        try desk.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        try hub.apply(try desk.signedChanges())
        for (time, quote) in [(2, "Harbour Road bridge"), (3, "The council"), (4, "until May.")] {
            try desk.commit(time: UInt64(time)) { dot in
                [
                    .createAnnotation(
                        id: ID128.annotation(createdAt: dot, index: 0), article: article,
                        anchor: try QuoteAnchoring.anchor(quote: quote, in: body, occurrence: nil))
                ]
            }
        }
        var feed = desk.feed(since: try hub.clock(), quotesByPosition: true)
        let page = try #require(try feed.next())
        let anchors = page.batch.changes.flatMap(\.operations).compactMap { operation -> Anchor? in
            if case .createAnnotation(_, _, let anchor) = operation { anchor } else { nil }
        }
        #expect(anchors.count == 3 && anchors.allSatisfy(\.isByPosition))

        let refused = #expect(throws: GlossStoreError.self) { try hub.apply(page.batch) }
        #expect(refused?.code == .badSignature, "not negotiated: the empty quotes are what was received, and they were not signed")
        #expect(try hub.apply(page.batch, quotesByPosition: true).applied == 3)
        #expect(try hub.state() == (try desk.state()), "the same anchors, context and all")
        #expect(try hub.digest().1 == (try desk.digest().1))
    }

    @Test func aQuoteOfAnArticleTheReceiverLacksIsRefused() throws {
        let folder = try TemporaryFolder()
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let hub = try GlossStore.create(at: folder.file("hub.sqlite"), storeID: desk.identity.storeID, name: "hub")
        let body = "The council voted on Tuesday."
        let article = ArticleText.id(of: body)
        try desk.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        try desk.commit(time: 2) { dot in
            [
                .createAnnotation(
                    id: ID128.annotation(createdAt: dot, index: 0), article: article,
                    anchor: try QuoteAnchoring.anchor(quote: "council", in: body, occurrence: nil))
            ]
        }
        var feed = desk.feed(since: [desk.identity.replicaID: 1], quotesByPosition: true)
        let page = try #require(try feed.next())
        let refused = #expect(throws: GlossStoreError.self) { try hub.apply(page.batch, quotesByPosition: true) }
        #expect(refused?.message.contains("does not hold that article") == true, "\(String(describing: refused))")
        #expect(try hub.clock().total == 0)
    }
}
