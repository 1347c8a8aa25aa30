import GlossCore
import GlossTestSupport
import Testing

/// Archiving an article (issue 11): an ordinary field write that merges like the rest.
@Suite struct ArchiveIntentTests {
    let body = RandomEdits.texts[0]
    var article: EntityID { ArticleText.id(of: body) }

    func sharedStart() throws -> (desk: SimulatedReplica, field: SimulatedReplica) {
        var desk = SimulatedReplica(number: 1)
        try desk.perform(ImportIntent(articles: [.init(body: body)]))
        var field = SimulatedReplica(number: 2)
        try field.receive(desk.log)
        return (desk, field)
    }

    @Test func archivingWritesTheFieldOnceAndUnarchivingClearsIt() throws {
        var (desk, _) = try sharedStart()
        #expect(desk.state.articles[article]?.isArchived == false)
        let archive = try #require(try desk.perform(ArchiveIntent(articles: [article, article], archived: true)))
        #expect(archive.operations == [.set(entity: article, field: .archived, value: "yes")], "one write for an article named twice")
        #expect(desk.state.articles[article]?.isArchived == true)
        #expect(try desk.perform(ArchiveIntent(articles: [article], archived: true)) == nil, "already archived: nothing to write")
        let unarchive = try #require(try desk.perform(ArchiveIntent(articles: [article], archived: false)))
        #expect(unarchive.operations == [.set(entity: article, field: .archived, value: "")])
        #expect(desk.state.articles[article]?.isArchived == false)
        #expect(try desk.perform(ArchiveIntent(articles: [article], archived: false)) == nil)
    }

    @Test func anArticleNeverArchivedIsNotWrittenByAnUnarchive() throws {
        var (desk, _) = try sharedStart()
        #expect(try desk.perform(ArchiveIntent(articles: [article], archived: false)) == nil)
    }

    @Test func onlyArticlesCanBeArchived() throws {
        var (desk, _) = try sharedStart()
        let change = try #require(try desk.perform(AnnotateIntent(article: article, quote: "Kursk Oblast", note: "n")))
        let annotation = AnnotateIntent.annotationID(createdBy: change.id)
        #expect(throws: IntentError.self) { try desk.perform(ArchiveIntent(articles: [annotation], archived: true)) }
        #expect(throws: IntentError.self) { try desk.perform(ArchiveIntent(articles: [ID128(high: 9, low: 9)], archived: true)) }
    }

    /// Archived on one replica and unarchived on the other at once: a conflict of `archived`,
    /// the same on both once they have synced, and settled by an archive or unarchive that saw it.
    @Test func concurrentArchiveAndUnarchiveIsAConflictSettledByTheNextWrite() throws {
        var (desk, field) = try sharedStart()
        try desk.perform(ArchiveIntent(articles: [article], archived: true))
        try field.receive(desk.log)
        try desk.perform(ArchiveIntent(articles: [article], archived: false))
        #expect(try field.perform(ArchiveIntent(articles: [article], archived: true)) == nil, "already archived there")
        // Any non-empty value archives: the field writes another, concurrently with the unarchive.
        try field.perform(EditIntent(target: article, fields: [.archived: "yes, again"]))
        try desk.receive(field.log)
        try field.receive(desk.log)
        #expect(desk.state == field.state)
        #expect(desk.state.conflicts.map(\.field) == ["archived"])
        // Either side may settle it; an archive that saw both values writes even though the
        // article is shown archived (the write supersedes the sibling).
        let shownArchived = try #require(desk.state.articles[article]).isArchived
        let settle = try #require(try desk.perform(ArchiveIntent(articles: [article], archived: shownArchived)))
        #expect(settle.operations.count == 1 && desk.state.conflicts.isEmpty)
        #expect(desk.state.articles[article]?.isArchived == shownArchived)
    }
}
