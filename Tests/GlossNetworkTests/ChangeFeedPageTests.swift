import GlossCore
import GlossProtocol
import GlossStore
import GlossTestSupport
import Testing

/// The store's feed cuts pages by the bytes the CHANGES batch encodes, not by an estimate: a
/// page sized for a slow link must fit it, and fill it (issue 8).
@Suite(.onItsOwnThread) struct ChangeFeedPageTests {
    /// Two authors' annotations, interleaved, with notes that grow from a few bytes to a few
    /// hundred, so that a page's bytes do not follow its change count. The field's changes
    /// arrive one at a time, so each carries a signature and a page may end after any of them.
    static func store(in folder: TemporaryFolder) throws -> GlossStore {
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let field = try GlossStore.create(at: folder.file("field.sqlite"), storeID: desk.identity.storeID, name: "field")
        let body = "The council voted on Tuesday to close the Harbour Road bridge for repairs until May."
        let article = ArticleText.id(of: body)
        try desk.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        try field.apply(try desk.signedChanges())
        let anchor = try QuoteAnchoring.anchor(quote: "bridge", in: body, occurrence: 1)
        for index in 0..<120 {
            let author = index % 3 == 0 ? field : desk
            try author.commit(time: UInt64(10 + index)) { dot in
                let id = ID128.annotation(createdAt: dot, index: 0)
                return [
                    .createAnnotation(id: id, article: article, anchor: anchor),
                    .set(entity: id, field: .note, value: String(repeating: "Checked with the engineer. ", count: 1 + index % 12)),
                ]
            }
            if author === field { try desk.apply(try field.signedChanges(since: try desk.clock())) }
        }
        return desk
    }

    @Test(arguments: [4096, 10_000, 65_536])
    func pagesFitTheByteLimitAndFillIt(limit: Int) throws {
        let folder = try TemporaryFolder()
        let store = try Self.store(in: folder)
        let all = try store.signedChanges().changes
        var feed = store.feed(since: VersionVector(), changeLimit: 1000, byteLimit: limit)
        var pages: [[Change]] = []
        var runsOfPages: [SignedBatch] = []
        var isLast = false
        for _ in 0..<all.count + 1 {
            guard let page = try feed.next() else { break }
            let encoded = page.batch.encoded().count
            if page.batch.changes.count > 1 {
                #expect(encoded <= limit, "a page of \(page.batch.changes.count) changes is \(encoded) bytes")
            }
            pages.append(page.batch.changes)
            runsOfPages.append(page.batch)
            isLast = page.isLast
        }
        #expect(isLast)
        #expect(pages.flatMap { $0 } == all, "every change once, in order")
        // Every page but the last was full: the next change would not have fit. Its size is
        // counted with the page's runs, plus the checkpoint it brings (the field's changes each
        // carry one; the desk signs its own once at the end) and a run head if its author has
        // none in the page.
        let desk = store.identity.replicaID
        for (page, next) in zip(runsOfPages, pages.dropFirst()) {
            let change = next[0]
            var grown = SignedBatch(changes: page.changes + [change], runs: page.runs).encoded().count
            let hasRun = page.runs.contains { $0.author == change.id.replica }
            if !hasRun { grown += 1 + 32 + 32 + 1 }
            if !hasRun || change.id.replica != desk { grown += 1 + 64 }
            #expect(grown > limit, "a page of \(page.changes.count) changes stopped with room for the next (\(grown) ≤ \(limit))")
        }
        if limit == 4096 { #expect(pages.count > 5) }
    }

    @Test func theChangeLimitStillHolds() throws {
        let folder = try TemporaryFolder()
        let store = try Self.store(in: folder)
        var feed = store.feed(since: VersionVector(), changeLimit: 7, byteLimit: 1 << 20)
        let first = try #require(try feed.next())
        #expect(first.batch.changes.count == 7 && !first.isLast)
    }

    /// A run of this replica's own changes is signed every 256 changes as well as at its end:
    /// pages that cross those points still fit.
    @Test(arguments: [2_000, 9_000, 40_000])
    func ownRunsPastTheCheckpointIntervalFit(limit: Int) throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let body = "The council voted on Tuesday."
        let article = ArticleText.id(of: body)
        try store.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        for index in 0..<600 {
            try store.commit(time: UInt64(2 + index)) { _ in [.set(entity: article, field: .title, value: "T\(index)")] }
        }
        var feed = store.feed(since: VersionVector(), changeLimit: 1000, byteLimit: limit)
        var total = 0
        for _ in 0..<700 {
            guard let page = try feed.next() else { break }
            let encoded = page.batch.encoded().count
            #expect(page.batch.changes.count == 1 || encoded <= limit, "\(page.batch.changes.count) changes, \(encoded) bytes")
            total += page.batch.changes.count
            if page.isLast { break }
        }
        #expect(total == 601)
    }
}
