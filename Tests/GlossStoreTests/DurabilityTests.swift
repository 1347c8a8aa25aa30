import GRDB
import Testing

@testable import GlossStore

/// A committed note must survive power loss, not only a crash: every connection that writes
/// runs with synchronous = FULL (2), whichever way the store was opened.
@Suite struct DurabilityTests {
    @Test(arguments: [GlossStore.Access.write, .serve])
    func writersSyncFully(access: GlossStore.Access) throws {
        let folder = try TemporaryFolder()
        let path = folder.file("store.sqlite")
        _ = try GlossStore.create(at: path, name: nil)
        let store = try GlossStore.open(at: path, access: access)
        let level = try store.database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(level == 2)
        let mode = try store.database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
