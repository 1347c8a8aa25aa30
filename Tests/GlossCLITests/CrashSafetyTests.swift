import Foundation
import GlossTestSupport
import Testing

/// SIGKILL at random moments while `gloss annotate` and `gloss edit` write: the store stays a
/// sound SQLite file, gloss still opens it, and no annotation whose id was printed is lost
/// (an id is printed only after its change committed).
@Suite(.onItsOwnThread) struct CrashSafetyTests {
    /// Replays a failure: `GLOSS_CRASH_SEED=<seed> swift test --skip-build --filter CrashSafetyTests`.
    static func seed() -> UInt64 {
        ProcessInfo.processInfo.environment["GLOSS_CRASH_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
    }

    static let quotes = [
        "three generals", "500 officers", "nearly 12,000 troops", "meat grinder", "Financial Times", "Donetsk Oblast",
        "artillery, drones", "legitimate military targets", "South Korean delegation", "trench clearing", "Pyongyang",
    ]

    /// Sends SIGKILL after `delay` on a thread of its own: a sleeping task could wake late when
    /// CPU-bound tests hold the cooperative threads, and every kill would land after exit.
    static func kill(_ running: RunningProcess, afterMicroseconds delay: Int) async -> Bool {
        await onAThreadOfItsOwn {
            usleep(UInt32(min(delay, 5_000_000)))
            return running.kill()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func killingGlossMidWriteLosesNoPrintedAnnotation() async throws {
        let seed = Self.seed()
        var random = SplitMix64(seed: seed)
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let clock = ContinuousClock()

        // How long a write takes here, so kills land anywhere from start-up to exit.
        var durations: [Duration] = []
        var printed: [String] = []
        let started = clock.now
        printed.append(try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "2", "--note", "first"]))
        durations.append(clock.now - started)

        var kills = 0
        var runs = 0
        // The share of a typical run that kills aim within. A measured duration includes the wait
        // for the exit to be noticed, which a loaded machine stretches; so every kill that missed
        // (gloss had already exited) narrows the window, and every one that landed widens it again.
        var window = 1.25
        let deadline = clock.now + .seconds(45)
        while (kills < 8 || runs < 24) && runs < 80 && clock.now < deadline {
            runs += 1
            let arguments: [String]
            if random.chance(60) {
                arguments = [
                    "annotate", article, "--quote", Self.quotes[random.below(Self.quotes.count)],
                    "--note", "note \(runs)", "--tag", "run\(runs % 3)",
                ]
            } else {
                arguments = ["edit", printed[random.below(printed.count)], "--note", "edit \(runs)", "--color", "c\(runs)"]
            }
            let begun = clock.now
            let running = try sandbox.start(arguments + ["--store", sandbox.store])
            var sentKill = false
            let aimed = random.chance(60)
            if aimed {
                let typical = durations.sorted()[durations.count / 2]
                let microseconds = Double(typical / .microseconds(1)) * window
                sentKill = await Self.kill(running, afterMicroseconds: random.below(max(1, Int(microseconds))))
            }
            let result = try await sandbox.finish(running, timeLimit: .seconds(30))
            if aimed { window = result.signaled ? min(1.25, window * 1.25) : window * 0.6 }
            // A kill sent just as gloss exited lands on a finished process: that run completed.
            if result.signaled {
                kills += 1
                #expect(sentKill && result.status == SIGKILL, "seed \(seed): \(result)")
            } else {
                #expect(result.succeeded, "seed \(seed), run \(runs): \(result)")
                // Timed to the exit itself: this task may resume long after it, on a busy machine.
                durations.append((running.exitedAt ?? clock.now) - begun)
            }
            // A killed annotate may still have printed its id: then it had committed.
            if arguments[0] == "annotate" { printed += result.stdoutLines.filter(isID) }
        }
        #expect(kills >= 2, "seed \(seed): only \(kills) of \(runs) kills landed while gloss ran")

        // The file is sound SQLite, checked by an independent reader.
        let check = try await Self.pythonCheck(sandbox.store, sandbox: sandbox)
        #expect(check.succeeded && check.stdoutLines == ["ok", "0"], "seed \(seed): \(check)")

        // gloss opens it, and every printed id is there.
        let status = try await sandbox.gloss("status", "--json")
        #expect(status.succeeded, "seed \(seed): \(status)")
        let listed = Set(try jsonArray(try await sandbox.ok("annotations", "--json")).compactMap { string($0, "id") })
        let lost = Set(printed).subtracting(listed)
        #expect(lost.isEmpty, "seed \(seed): printed but lost after SIGKILL: \(lost.sorted())")

        // Every change is whole: the log holds exactly changes 1...clock, each with its operations.
        let replica = try #require(string(try jsonObject(status), "replica"))
        let count = try #require((try jsonObject(status)["clock"] as? [String: Int])?[replica])
        let log = try jsonArray(try await sandbox.ok("log", "--json"))
        #expect(log.compactMap { $0["seq"] as? Int } == Array((1...count).reversed()), "seed \(seed)")
        #expect(log.allSatisfy { !(($0["operations"] as? [Any]) ?? []).isEmpty }, "seed \(seed)")

        // And it still takes writes.
        let last = try #require(printed.last)
        try await sandbox.ok("edit", last, "--note", "after the crashes")
        let edited = try jsonArray(try await sandbox.ok("annotations", "--json")).first { string($0, "id") == last }
        #expect(string(edited ?? [:], "note") == "after the crashes", "seed \(seed)")
    }

    /// `PRAGMA integrity_check` and the number of `PRAGMA foreign_key_check` rows, from Python's
    /// own SQLite: "ok" and "0" for a sound store.
    static func pythonCheck(_ store: String, sandbox: Sandbox) async throws -> CommandResult {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("PRAGMA integrity_check").fetchone()[0])
            print(len(db.execute("PRAGMA foreign_key_check").fetchall()))
            db.close()
            """
        let running = try sandbox.start(
            executable: "/usr/bin/env", ["python3", "-c", script, store],
            environment: ProcessInfo.processInfo.environment)
        return try await sandbox.finish(running, timeLimit: .seconds(30))
    }
}
