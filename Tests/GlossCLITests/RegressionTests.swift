import Foundation
import GlossTestSupport
import Testing

/// Bugs found by the end-to-end review, each pinned by the test that showed it.
@Suite struct RegressionTests {
    @Test func bundleCreateNeverOverwritesTheStoreOrAnotherFile() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        _ = try await sandbox.importArticle(try sandbox.copySample())
        let before = try await sandbox.snapshot()
        expectCleanFailure(
            try await sandbox.run(["bundle", "create", sandbox.store, "--store", sandbox.store]), mentioning: ["the store itself"])
        let notes = try sandbox.write("notes.txt", "my notes\n")
        expectCleanFailure(
            try await sandbox.run(["bundle", "create", notes, "--store", sandbox.store]), mentioning: ["not a Gloss bundle"])
        #expect(sandbox.bytes("notes.txt") == Array("my notes\n".utf8))
        #expect(try await sandbox.snapshot() == before)
        // An older bundle is replaced, as `git bundle create` does.
        let bundle = sandbox.path("out.bundle")
        _ = try await sandbox.ok("bundle", "create", bundle)
        _ = try await sandbox.ok("bundle", "create", bundle)
    }

    @Test func aKilledInitLeavesNoStoreOrAWholeOne() async throws {
        let seed = UInt64(Date().timeIntervalSince1970)
        var random = SplitMix64(seed: seed)
        let sandbox = try Sandbox()
        for attempt in 0..<12 {
            let store = sandbox.path("s\(attempt).sqlite")
            let running = try sandbox.start(["init", "--store", store])
            try await Task.sleep(for: .microseconds(random.below(60_000)))
            _ = running.kill()
            _ = try await sandbox.finish(running)
            if FileManager.default.fileExists(atPath: store) {
                let status = try await sandbox.gloss("status", "--json", store: store)
                #expect(status.succeeded, "seed \(seed): a killed init left a broken store: \(status)")
            } else {
                #expect(try await sandbox.run(["init", "--store", store]).succeeded, "seed \(seed): init could not be retried")
            }
        }
    }

    @Test func anotherSQLiteDatabaseGivenAsTheStoreIsNotTouched() async throws {
        let sandbox = try Sandbox()
        let other = sandbox.path("contacts.db")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = [
            "python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table people(name)'); c.commit()",
            other,
        ]
        try make.run()
        await onAThreadOfItsOwn { make.waitUntilExit() }
        let before = try #require(sandbox.bytes("contacts.db"))
        for command in [["status"], ["annotate", "abcd", "--quote", "x"], ["bundle", "apply", other]] {
            expectCleanFailure(try await sandbox.run(command + ["--store", other]), mentioning: ["not a Gloss store"])
        }
        #expect(sandbox.bytes("contacts.db") == before)
        #expect(!sandbox.exists("contacts.db-wal"))
        let empty = try sandbox.write("empty.db", "")
        expectCleanFailure(try await sandbox.run(["status", "--store", empty]), mentioning: ["not a Gloss store"])
        #expect(sandbox.bytes("empty.db") == [])
    }

    @Test func commandsThatOnlyLookLeaveTheFileAsItWas() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        _ = try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "1", "--note", "n"])
        _ = try await sandbox.ok("status")
        let before = try #require(sandbox.bytes((sandbox.store as NSString).lastPathComponent))
        for command in [
            ["status"], ["articles"], ["show", article], ["annotations"], ["conflicts"], ["log"], ["peers"],
            ["status", "--json"], ["bundle", "create", sandbox.path("b.bundle")],
        ] {
            _ = try await sandbox.ok(arguments: command)
        }
        #expect(sandbox.bytes((sandbox.store as NSString).lastPathComponent) == before, "a read-only command wrote to the store")
    }

    @Test func jsonKeepsEveryKeyWithNullForMissingValues() async throws {
        let sandbox = try Sandbox()
        _ = try await sandbox.run(["init", "--store", sandbox.store])
        let article = try await sandbox.importArticle(try sandbox.copySample())
        _ = try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "1"])
        let articles = try #require(
            try JSONSerialization.jsonObject(with: Data(try await sandbox.ok("articles", "--json").stdout.utf8)) as? [[String: Any]])
        #expect(articles.first?["source"] is NSNull)
        let annotations = try #require(
            try JSONSerialization.jsonObject(with: Data(try await sandbox.ok("annotations", "--json").stdout.utf8)) as? [[String: Any]])
        #expect(annotations.first?["note"] is NSNull && annotations.first?["color"] is NSNull)
        let status = try await sandbox.status()
        #expect(status["name"] is NSNull)
    }

    @Test func aDirectoryGivenAsABundleIsCalledADirectory() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        expectCleanFailure(
            try await sandbox.run(["bundle", "apply", sandbox.folder, "--store", sandbox.store]), mentioning: ["is a directory"])
    }

    @Test func aTagOfOnlySpacesIsRefused() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let result = try await sandbox.run(["import", try sandbox.copySample(), "--tag", "  ", "--store", sandbox.store])
        expectCleanFailure(result, mentioning: ["tag"])
    }
}

/// Fixes from the review of resolve.
@Suite struct ResolveRegressionTests {
    @Test func resolvingAFieldOfADeletedAnnotationIsRefusedNotAResurrection() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        _ = try await sandbox.ok("edit", replicas.annotation, "--note", "desk's", store: replicas.desk)
        _ = try await sandbox.ok("edit", replicas.annotation, "--note", "field's", store: replicas.field)
        _ = try await replicas.exchange()
        _ = try await sandbox.ok("delete", replicas.annotation, store: replicas.desk)
        let before = try await sandbox.snapshot(replicas.desk)
        expectCleanFailure(
            try await sandbox.run(["resolve", replicas.annotation, "note", "--pick", "1", "--store", replicas.desk]),
            mentioning: ["is deleted"])
        #expect(try await sandbox.snapshot(replicas.desk) == before)
    }

    @Test func aDeleteVersusEditConflictCanBeSettledByNumber() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        _ = try await sandbox.ok("delete", replicas.annotation, store: replicas.desk)
        _ = try await sandbox.ok("edit", replicas.annotation, "--note", "still needed", store: replicas.field)
        _ = try await replicas.exchange()
        let conflicts =
            try JSONSerialization.jsonObject(with: Data(try await sandbox.ok("conflicts", "--json", store: replicas.desk).stdout.utf8))
            as? [[String: Any]]
        let values = try #require(conflicts?.first?["values"] as? [[String: Any]])
        let edited = try #require(values.firstIndex { $0["value"] as? String == "edited" }) + 1
        _ = try await sandbox.ok("resolve", replicas.annotation, "deleted", "--pick", String(edited), store: replicas.desk)
        let annotations =
            try JSONSerialization.jsonObject(with: Data(try await sandbox.ok("annotations", "--json", store: replicas.desk).stdout.utf8))
            as? [[String: Any]]
        #expect(annotations?.first?["conflicts"] as? [String] == [])
        #expect(annotations?.first?["note"] as? String == "still needed")
    }
}
