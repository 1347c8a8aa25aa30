import Foundation
import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// Each entity's row keeps how many of its fields are in conflict, so that `status` and
/// `conflicts` read a partial index (issue 11). The random-history property test checks the
/// counts against the reference state; these check every kind of conflict by name, and the
/// migration that fills the counts in for a store written before they existed.
@Suite struct ConflictCountTests {
    /// Desk and field, diverged: a title conflict, a note conflict, a contested delete, and a
    /// note conflict on an annotation both deleted (which waits for no one).
    static func divergedPair(in folder: TemporaryFolder) throws -> (desk: GlossStore, expected: [Conflict]) {
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let body = "The council voted on Tuesday to close the bridge, and the mayor agreed."
        let article = ArticleText.id(of: body)
        var notes: [EntityID] = []
        try desk.commit(time: 1) { dot in
            var operations: [GlossCore.Operation] = [.createArticle(id: article, body: body)]
            for (index, quote) in ["council", "bridge", "mayor"].enumerated() {
                let id = ID128.annotation(createdAt: dot, index: 1 + index)
                notes.append(id)
                operations.append(
                    .createAnnotation(id: id, article: article, anchor: try QuoteAnchoring.anchor(quote: quote, in: body, occurrence: 1)))
            }
            return operations
        }
        let field = try GlossStore.create(at: folder.file("field.sqlite"), storeID: desk.identity.storeID, name: "field")
        try field.apply(try desk.signedChanges())
        try desk.commit(time: 2) { _ in
            [
                .set(entity: article, field: .title, value: "Bridge closed"), .set(entity: notes[0], field: .note, value: "desk"),
                .deleteAnnotation(id: notes[1]), .set(entity: notes[2], field: .note, value: "desk"),
            ]
        }
        try desk.commit(time: 3) { _ in [.deleteAnnotation(id: notes[2])] }
        try field.commit(time: 2) { _ in
            [
                .set(entity: article, field: .title, value: "Council votes"), .set(entity: notes[0], field: .note, value: "field"),
                .set(entity: notes[1], field: .note, value: "kept"), .set(entity: notes[2], field: .note, value: "field"),
            ]
        }
        try field.commit(time: 3) { _ in [.deleteAnnotation(id: notes[2])] }
        try desk.apply(try field.signedChanges(since: try desk.clock()))
        return (desk, try desk.state().conflicts)
    }

    @Test func everyKindOfConflictIsCountedAndASettledOneIsNot() throws {
        let folder = try TemporaryFolder()
        let (desk, expected) = try Self.divergedPair(in: folder)
        #expect(expected.map(\.field).sorted() == ["deleted", "note", "title"], "\(expected)")
        #expect(try desk.conflictCount() == 3)
        #expect(try desk.conflictedEntities() == Set(expected.map(\.entity)))

        let title = try #require(expected.first { $0.field == "title" })
        try desk.commit(time: 4) { _ in [.set(entity: title.entity, field: .title, value: "Bridge closed")] }
        #expect(try desk.conflictCount() == 2 && !(try desk.conflictedEntities()).contains(title.entity))
    }

    @Test func aStoreWrittenBeforeTheCountsGetsThemOnUpgrade() throws {
        let folder = try TemporaryFolder()
        let (desk, expected) = try Self.divergedPair(in: folder)
        let path = desk.path
        // Back to schema v8, as a tool outside Gloss would: no counts, no indexes (and no
        // state sum, which v10 adds after them).
        for sql in [
            "DROP TABLE state_sum", "DELETE FROM grdb_migrations WHERE identifier = 'v10-state-sum'",
            "DROP INDEX article_conflicted", "DROP INDEX annotation_conflicted", "ALTER TABLE article DROP COLUMN conflicts",
            "ALTER TABLE annotation DROP COLUMN conflicts", "DELETE FROM grdb_migrations WHERE identifier = 'v9-conflict-counts'",
        ] {
            try SQLiteShell.execute(sql, on: path)
        }
        let upgraded = try GlossStore.open(at: path)
        #expect(try upgraded.conflictCount() == expected.count)
        #expect(try upgraded.conflictedEntities() == Set(expected.map(\.entity)))
        #expect(try upgraded.state().conflicts == expected)
    }
}
