import Foundation
import GRDB
import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// A store another process holds for longer than the busy timeout says so, and that a retry
/// will work, instead of SQLite's "database is locked" (issue 11).
@Suite struct BusyStoreTests {
    /// Takes the store's write lock on a thread of its own and keeps it for `seconds`; returns
    /// once it is held.
    static func holdWriteLock(of path: String, for seconds: TimeInterval) throws {
        let other = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? other.inDatabase { db in
                try db.inTransaction(.immediate) {
                    locked.signal()
                    Thread.sleep(forTimeInterval: seconds)
                    return .rollback
                }
            }
        }
        holder.start()
        locked.wait()
    }

    /// A commit that waits on the write lock, on a thread of its own: waiting out the busy
    /// timeout on a cooperative thread would starve the suite's in-process servers.
    static func commitWaiting(_ store: GlossStore, time: UInt64, body: String) async throws {
        try await onAThreadOfItsOwn {
            _ = try store.commit(time: time) { _ in [.createArticle(id: ArticleText.id(of: body), body: body)] }
        }
    }

    @Test func aWriteThatWaitsPastTheBusyTimeoutSaysTheStoreIsBusy() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("desk.sqlite")
        let store = try GlossStore.create(at: path, name: "desk")
        let body = "The council voted on Tuesday."
        // Another writer takes the write lock and keeps it past the busy timeout (as a long
        // apply would).
        try Self.holdWriteLock(of: path, for: 12)
        let busy = await #expect(throws: GlossStoreError.self) { try await Self.commitWaiting(store, time: 1, body: body) }
        #expect(busy?.code == .busy)
        #expect(busy?.message.contains("is busy") == true && busy?.message.contains("try again") == true, "\(String(describing: busy))")
        #expect(busy?.message.contains("another gloss command") == true, "no note: the kinds of command that hold a store long")
        // The holder lets go within two seconds of the timeout; the retry then waits for it.
        try await Self.commitWaiting(store, time: 2, body: body)
        #expect(try store.clock().total == 1, "the retry worked")
    }

    /// While a batch is applied, a note beside the store names the process: a command kept
    /// waiting says which one holds the store.
    @Test func aBusyStoreNamesTheProcessApplyingABatch() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("desk.sqlite")
        let store = try GlossStore.create(at: path, name: "desk")
        let body = "The council voted on Tuesday."
        // As a server applying a batch would leave it (this test process stands in for it).
        try "\(getpid()) gloss serve\n".write(toFile: path + "-gloss-writer", atomically: true, encoding: .utf8)
        try Self.holdWriteLock(of: path, for: 11)
        let busy = await #expect(throws: GlossStoreError.self) { try await Self.commitWaiting(store, time: 1, body: body) }
        #expect(busy?.message.contains("gloss serve (pid \(getpid())) is applying changes to it") == true, "\(String(describing: busy))")
        try await Task.sleep(for: .seconds(1.5))  // the holder lets go
        try await Self.commitWaiting(store, time: 2, body: body)
        #expect(try store.clock().total == 1)
    }

    @Test func applyingABatchLeavesNoNoteBehind() throws {
        let folder = try TemporaryFolder()
        let desk = try GlossStore.create(at: folder.file("desk.sqlite"), name: "desk")
        let hub = try GlossStore.create(at: folder.file("hub.sqlite"), storeID: desk.identity.storeID, name: "hub")
        let body = "The council voted on Tuesday."
        try desk.commit(time: 1) { _ in [.createArticle(id: ArticleText.id(of: body), body: body)] }
        try hub.apply(try desk.signedChanges())
        #expect(!FileManager.default.fileExists(atPath: folder.file("hub.sqlite") + "-gloss-writer"))
    }
}
