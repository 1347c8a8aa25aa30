import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// The full-text index follows the state in the same transaction: edits, deletes, merges and
/// conflicts (issue 11).
@Suite struct SearchTests {
    static let mark = (open: "[", close: "]")

    struct Desk {
        let folder: TemporaryFolder
        let store: GlossStore
        let article: EntityID
        let annotation: EntityID

        init() throws {
            folder = try TemporaryFolder()
            store = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
            let body = "The council voted on Tuesday to close the Harbour Road bridge for repairs until May."
            article = ArticleText.id(of: body)
            let article = self.article
            try store.commit(time: 1) { _ in
                [
                    .createArticle(id: article, body: body), .set(entity: article, field: .title, value: "Bridge closure"),
                    .addTag(entity: article, tag: "council"),
                ]
            }
            let anchor = try QuoteAnchoring.anchor(quote: "bridge", in: body, occurrence: nil)
            var created: EntityID?
            try store.commit(time: 2) { dot in
                let id = ID128.annotation(createdAt: dot, index: 0)
                created = id
                return [
                    .createAnnotation(id: id, article: article, anchor: anchor),
                    .set(entity: id, field: .note, value: "Ask the engineer, Ana Ribéiro, about the cost"),
                    .addTag(entity: id, tag: "verify"),
                ]
            }
            annotation = created!
        }

        func find(_ words: String..., in scope: GlossStore.SearchScope = .all, tag: String? = nil) throws -> [EntityID] {
            try store.search(words, in: scope, tag: tag, mark: SearchTests.mark).map(\.entity)
        }
    }

    @Test func findsArticlesAndNotesByWholeWordsCaseAndAccentsAside() throws {
        let desk = try Desk()
        #expect(try desk.find("BRIDGE") == [desk.article])
        #expect(try desk.find("closure") == [desk.article], "titles are searched")
        #expect(try desk.find("ribeiro") == [desk.annotation], "accents aside")
        #expect(try desk.find("engin*") == [desk.annotation], "a prefix")
        #expect(try desk.find("engin").isEmpty, "whole words")
        #expect(try desk.find("ask", "cost") == [desk.annotation], "every word")
        #expect(try desk.find("ask", "harbour").isEmpty)
        #expect(Set(try desk.find("the")) == [desk.article, desk.annotation])
        #expect(try desk.find("the", in: .notes) == [desk.annotation])
        #expect(try desk.find("the", in: .articles) == [desk.article])
        #expect(try desk.find("the", tag: "verify") == [desk.annotation])
        #expect(try desk.find("the", tag: "council") == [desk.article])
        #expect(try desk.find("\"ask", "-cost", "the)", "OR").isEmpty, "OR is a word to find, not an operator")
        #expect(try desk.find("\"ask", "-cost", "the)") == [desk.annotation], "quotes, dashes and brackets are not query syntax")
        let hit = try #require(try desk.store.search(["cost"], mark: SearchTests.mark).first)
        #expect(hit.snippet == "Ask the engineer, Ana Ribéiro, about the [cost]" && hit.article == desk.article && hit.kind == .annotation)
    }

    @Test func theIndexFollowsEditsDeletesAndConflicts() throws {
        let desk = try Desk()
        try desk.store.commit(time: 3) { _ in [.set(entity: desk.annotation, field: .note, value: "Confirmed by the ministry")] }
        #expect(try desk.find("engineer").isEmpty, "the old note is gone")
        #expect(try desk.find("ministry") == [desk.annotation])

        // The field edits the same note concurrently: both siblings are found.
        let field = try GlossStore.create(at: desk.folder.file("field.sqlite"), storeID: desk.store.identity.storeID, name: "field")
        try field.apply(try desk.store.signedChanges())
        try field.commit(time: 4) { _ in [.set(entity: desk.annotation, field: .note, value: "Denied by the mayor")] }
        try desk.store.commit(time: 5) { _ in [.set(entity: desk.annotation, field: .note, value: "Confirmed again by the ministry")] }
        try desk.store.apply(try field.signedChanges(since: try desk.store.clock()))
        #expect(try desk.find("mayor") == [desk.annotation], "a sibling in conflict")
        #expect(try desk.find("again") == [desk.annotation])

        try desk.store.commit(time: 6) { _ in [.deleteAnnotation(id: desk.annotation)] }
        #expect(try desk.find("mayor").isEmpty, "a deleted annotation is not found")
        #expect(try desk.find("bridge") == [desk.article])
    }
}

extension SearchTests {
    /// Best first, cut at the limit after the filters, and each result's own snippet: the
    /// snippets are made for the best rows only (a common word at 100,000 notes made one for
    /// every match), which must not change what is found or its order.
    @Test func resultsComeBestFirstAndTheLimitCutsAfterTheFilters() throws {
        let desk = try Desk()
        let body = "The council voted on Tuesday to close the Harbour Road bridge for repairs until May."
        let anchor = try QuoteAnchoring.anchor(quote: "council", in: body, occurrence: nil)
        // A note holding "repairs" once among many words ranks below one that is mostly it.
        let notes = [
            "repairs", "the repairs were planned long before the council met on Tuesday and nobody objected to them",
            "repairs repairs, and then more repairs", "no match here",
        ]
        var ids: [EntityID] = []
        for (index, note) in notes.enumerated() {
            try desk.store.commit(time: UInt64(10 + index)) { dot in
                let id = ID128.annotation(createdAt: dot, index: 0)
                ids.append(id)
                return [
                    .createAnnotation(id: id, article: desk.article, anchor: anchor), .set(entity: id, field: .note, value: note),
                    .addTag(entity: id, tag: index == 1 ? "long" : "short"),
                ]
            }
        }
        let all = try desk.store.search(["repairs"], in: .notes, mark: SearchTests.mark)
        #expect(all.map(\.entity) == [ids[2], ids[0], ids[1]], "\(all.map(\.snippet))")
        #expect(
            all.map(\.snippet) == [
                "[repairs] [repairs], and then more [repairs]", "[repairs]",
                notes[1].replacingOccurrences(of: "repairs", with: "[repairs]").split(separator: " ").prefix(12).joined(separator: " ")
                    + "…",
            ])
        let top = try desk.store.search(["repairs"], in: .notes, limit: 2, mark: SearchTests.mark)
        #expect(top.map(\.entity) == [ids[2], ids[0]])
        let tagged = try desk.store.search(["repairs"], in: .notes, tag: "long", limit: 1, mark: SearchTests.mark)
        #expect(tagged.map(\.entity) == [ids[1]], "the tag filters before the limit cuts")
        #expect(try desk.store.search(["repairs"], in: .all, limit: 5, mark: SearchTests.mark).count == 4, "the article too")
    }
}
