import Foundation
import GRDB

/// What durable commits alone cost on this machine, with the store's own settings (WAL,
/// `synchronous = FULL`): the floor issue 9 sets local edits against ("at most 1.3× the
/// durable commits alone, measured in the same run"). Each commit inserts one row of about a
/// change's size into a fresh file beside the store, as its own transaction.
struct CommitFloor {
    let commits: Int
    let time: Duration

    var microsecondsPerCommit: Double { time.inSeconds * 1e6 / Double(commits) }

    /// `commits` commits in `directory`; the file is removed afterwards.
    static func measure(commits: Int, in directory: String) throws -> CommitFloor {
        let path = directory + "/commit-floor.sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE row (id INTEGER PRIMARY KEY, entity BLOB NOT NULL, value TEXT NOT NULL) STRICT")
        }
        let value = String(repeating: "n", count: 80)
        var generator = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<commits {
            let entity = Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try queue.write { db in
                try db.cachedStatement(sql: "INSERT INTO row (entity, value) VALUES (?, ?)").execute(arguments: [entity, value])
            }
        }
        return CommitFloor(commits: commits, time: clock.now - started)
    }
}
