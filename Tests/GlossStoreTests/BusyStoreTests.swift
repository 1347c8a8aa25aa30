import Foundation
import GRDB
import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// A store another process holds for longer than the busy timeout says so, and that a retry
/// will work, instead of SQLite's "database is locked" (issue 11).
@Suite struct BusyStoreTests {
    @Test func aWriteThatWaitsPastTheBusyTimeoutSaysTheStoreIsBusy() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("desk.sqlite")
        let store = try GlossStore.create(at: path, name: "desk")
        let body = "The council voted on Tuesday."
        // Another writer takes the write lock and keeps it past the busy timeout (as a long
        // apply would), on its own thread.
        let other = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? other.inDatabase { db in
                try db.inTransaction(.immediate) {
                    locked.signal()
                    Thread.sleep(forTimeInterval: 12)
                    return .rollback
                }
            }
        }
        holder.start()
        locked.wait()
        let busy = #expect(throws: GlossStoreError.self) {
            try store.commit(time: 1) { _ in [.createArticle(id: ArticleText.id(of: body), body: body)] }
        }
        #expect(busy?.code == .busy)
        #expect(busy?.message.contains("is busy") == true && busy?.message.contains("try again") == true, "\(String(describing: busy))")
        // The holder lets go within two seconds of the timeout; the retry then waits for it.
        try store.commit(time: 2) { _ in [.createArticle(id: ArticleText.id(of: body), body: body)] }
        #expect(try store.clock().total == 1, "the retry worked")
    }
}
