import Foundation
import GlossCore

#if canImport(Glibc)
    import Glibc
#endif

/// How long a `gloss` process takes from start to exit, beside the same machine's `sqlite3`
/// doing one durable insert (issue 9's targets: `gloss edit` at most twice that, `gloss
/// --version` at most one and a half times). Medians of `runs` each, taken in turn so that a
/// busy moment of the machine falls on all three alike.
struct ProcessStart: Encodable {
    let versionMS: Double
    let editMS: Double
    /// Nil when no `sqlite3` is installed.
    let sqliteInsertMS: Double?

    enum CodingKeys: String, CodingKey {
        case versionMS = "version_ms"
        case editMS = "edit_ms"
        case sqliteInsertMS = "sqlite3_insert_ms"
    }

    /// `gloss --version`; `gloss edit` of `annotation`'s note in the store at `store` (a new
    /// note each run, so that every run commits); and, with the same pragmas as the store,
    /// `sqlite3` inserting one row into a file of its own in `folder`.
    static func measure(gloss: String, store: String, annotation: EntityID, in folder: String, runs: Int = 21) throws -> ProcessStart {
        let sqlite = ["/usr/bin/sqlite3", "/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let table = folder + "/insert-floor.sqlite"
        var (version, edit, insert): ([Duration], [Duration], [Duration]) = ([], [], [])
        for run in 0..<runs {
            version.append(try time(gloss, ["--version"]))
            edit.append(try time(gloss, ["edit", "--store", store, annotation.hex, "--note", "start \(run)"]))
            if let sqlite {
                insert.append(
                    try time(
                        sqlite,
                        [
                            table,
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (\(run));",
                        ]
                    ))
            }
        }
        func median(_ times: [Duration]) -> Double { times.sorted()[times.count / 2].inSeconds * 1000 }
        return ProcessStart(versionMS: median(version), editMS: median(edit), sqliteInsertMS: insert.isEmpty ? nil : median(insert))
    }

    /// One run of `path`, start to exit; it must succeed.
    private static func time(_ path: String, _ arguments: [String]) throws -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        let child = try Child(path, arguments)
        _ = child.readAll()
        close(child.stdout)
        guard child.wait().status == 0 else { throw BenchError("\(path) \(arguments.joined(separator: " ")) failed") }
        return clock.now - started
    }
}
