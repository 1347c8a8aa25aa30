import Foundation
import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// A folder of its own for each test, removed afterwards.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct StoreLifecycleTests {
    @Test func createThenOpenKeepsTheIdentityAndRefusesASecondInit() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("nested/store.sqlite")
        let created = try GlossStore.create(at: path, name: "desk")
        let opened = try GlossStore.open(at: path)
        #expect(opened.identity == created.identity)
        #expect(opened.identity.name == "desk")
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(throws: GlossStoreError.self) { try GlossStore.create(at: path, name: nil) }
        #expect(try opened.integrityCheck() == "ok")
    }

    @Test func openingSomethingThatIsNotAStoreFailsClearly() throws {
        let folder = try TemporaryFolder()
        #expect(throws: GlossStoreError(.noStore, "no store at \(folder.file("missing")) (create one with 'gloss init')")) {
            try GlossStore.open(at: folder.file("missing"))
        }
        try Data("just some text, not SQLite at all".utf8).write(to: URL(fileURLWithPath: folder.file("notes.txt")))
        let error = #expect(throws: GlossStoreError.self) { try GlossStore.open(at: folder.file("notes.txt")) }
        #expect(error?.code == .notAGlossStore)
        let bytesAfter = try Data(contentsOf: URL(fileURLWithPath: folder.file("notes.txt")))
        #expect(String(decoding: bytesAfter, as: UTF8.self) == "just some text, not SQLite at all")
    }

    @Test func aStoreFromANewerGlossIsRefused() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("store.sqlite")
        _ = try GlossStore.create(at: path, name: nil)
        try SQLiteShell.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')", on: path)
        let error = #expect(throws: GlossStoreError.self) { try GlossStore.open(at: path) }
        #expect(error?.code == .newerSchema)
    }
}

/// Runs one SQL statement through GRDB-free SQLite, as a tool outside Gloss would.
enum SQLiteShell {
    static func execute(_ sql: String, on path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", path, sql,
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
