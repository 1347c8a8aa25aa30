import Foundation
import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// `gloss sync` over a bad link (`BadLink`, in process): a field correspondent's day of notes
/// reaches the hub through cuts, and a stalled connection is replaced (issue 8).
@Suite(.onItsOwnThread) struct FieldSyncTests {
    /// The day of issue 8 on the field replica: 500 annotations with notes, colors and tags,
    /// 100 of them edited afterwards. Returns the field's clock entry after it.
    ///
    /// Each note carries a transcript reference of random characters, as real notes differ from
    /// each other: notes that differ only by a number compress so well that the whole day crossed
    /// the test link in two seconds, before the first cut.
    static func writeADaysNotes(on path: String, annotations: Int = 500, edits: Int = 100) throws -> UInt64 {
        let store = try GlossStore.open(at: path)
        let state = try store.state()
        let (article, body) = try #require(state.articles.first.map { ($0.key, $0.value.body) })
        let words = body.split(separator: " ").map(String.init).filter { $0.count > 6 && body.contains($0) }
        var ids: [ID128] = []
        for index in 0..<annotations {
            let anchor = try QuoteAnchoring.anchor(quote: words[index % words.count], in: body, occurrence: 1)
            try store.commit(time: UInt64(index)) { dot in
                let id = ID128.annotation(createdAt: dot, index: 0)
                ids.append(id)
                return [
                    .createAnnotation(id: id, article: article, anchor: anchor),
                    .set(
                        entity: id, field: .note,
                        value: "Source \(index) confirmed this by phone (\(reference(index))); check the second paragraph."),
                    .set(entity: id, field: .color, value: ["yellow", "green", "red"][index % 3]),
                    .addTag(entity: id, tag: ["verify", "quote", "follow-up"][index % 3]),
                ]
            }
        }
        for index in 0..<edits {
            try store.commit(time: UInt64(annotations + index)) { _ in
                [.set(entity: ids[index * 5], field: .note, value: "Edited: source \(index) asked not to be named.")]
            }
        }
        return try store.clock()[store.identity.replicaID]
    }

    /// 64 hex digits, the same for the same index (SplitMix64), about 32 bytes that no
    /// compressor can shorten.
    static func reference(_ index: Int) -> String {
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        return (0..<4).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            let hex = String(mixed ^ (mixed >> 31), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Drops every connection through `link` for 1 s, every 3 s, until cancelled (at most 60
    /// times); the task's value is how many cuts it made. The first cut waits until 8 more KB
    /// have crossed the link, so that it lands in the middle of the transfer however long the
    /// process took to start and shake hands.
    static func cutEveryThreeSeconds(_ link: BadLink) -> Task<Int, Never> {
        let start = link.bytesToServer + link.bytesToClient
        return Task.onItsOwnThread {
            for _ in 0..<1_200 where link.bytesToServer + link.bytesToClient < start + 8_000 {
                try? await Task.sleep(for: .milliseconds(50))
            }
            var cuts = 0
            for round in 0..<60 {
                if round > 0 { try? await Task.sleep(for: .seconds(3)) }
                if Task.isCancelled { break }
                link.cut(.drop)
                cuts += 1
                try? await Task.sleep(for: .seconds(1))
                link.restore()
            }
            return cuts
        }
    }

    /// The hub serving, the field introduced to it, and a bad link in front of the hub.
    struct Setup {
        let replicas: TwoReplicas
        let server: RunningProcess
        let hubDevice: String
        let link: BadLink

        static func make(profile: BadLink.Profile) async throws -> Setup {
            let replicas = try await TwoReplicas.make()
            let hubDevice = try await replicas.sandbox.introduce(client: replicas.field, to: replicas.desk)
            let (server, address) = try await replicas.sandbox.serve(replicas.desk)
            let port = try #require(address.split(separator: ":").last.flatMap { Int($0) })
            return Setup(replicas: replicas, server: server, hubDevice: hubDevice, link: try BadLink(to: port, profile: profile))
        }

        func sync(_ options: [String]) async throws -> CommandResult {
            try await replicas.sandbox.run(
                ["sync", "127.0.0.1:\(link.port)", "--expect", hubDevice, "--json", "--store", replicas.field] + options,
                timeLimit: .seconds(240))
        }

        func stop() async throws {
            link.close()
            server.kill()
            _ = try await replicas.sandbox.finish(server)
        }
    }

    /// A cut every 3 s that drops the connection for 1 s, on a link that moves 10 KB/s: the day
    /// (about 200 KB, 35 KB compressed) took one batch, so one cut lost it all and no attempt
    /// ever finished.
    /// Now each small batch is kept as it lands: every attempt carries the day further, and
    /// each cut costs at most the batch in flight.
    @Test(.timeLimit(.minutes(4)))
    func aDaysNotesReachTheHubThroughRepeatedCuts() async throws {
        let setup = try await Setup.make(profile: .init(bytesPerSecond: 10_000, delay: .milliseconds(20)))
        let fieldSeq = try Self.writeADaysNotes(on: setup.replicas.field)
        let cutter = Self.cutEveryThreeSeconds(setup.link)
        let result = try await setup.sync(["--stall-timeout", "5s", "--timeout", "200s"])
        cutter.cancel()
        let cuts = await cutter.value
        try await setup.stop()

        #expect(result.succeeded, "\(result)")
        let summary = try jsonObject(result)
        let attempts = try #require(summary["attempts"] as? Int)
        let resent = try #require(summary["resent_bytes"] as? Int)
        #expect(attempts > 1 && cuts > 1, "the cuts interrupted sessions: \(summary)")
        // The summary counts the whole day, not only what the last session carried.
        #expect(summary["sent"] as? Int == 600 && summary["received"] as? Int == 0, "\(summary)")
        // At most one batch lost per cut: a batch is about 2 s of this link, 20 KB on the wire.
        #expect(resent <= cuts * 30_000, "\(cuts) cuts: \(summary)")
        // Everything arrived: the hub holds the field's whole day.
        let hub = try await setup.replicas.sandbox.status(setup.replicas.desk)
        let field = try await setup.replicas.sandbox.status(setup.replicas.field)
        #expect(hub["clock"] as? [String: Int] == field["clock"] as? [String: Int])
        #expect((field["clock"] as? [String: Int])?.values.contains(Int(fieldSeq)) == true)
        #expect(string(hub, "digest") == string(field, "digest"))
    }

    /// `gloss clone` keeps trying the same way: a clone of a day of notes through a cut every
    /// 3 s completes, and the new store holds what the hub holds.
    @Test(.timeLimit(.minutes(4)))
    func aCloneCompletesThroughRepeatedCuts() async throws {
        let setup = try await Setup.make(profile: .init(bytesPerSecond: 10_000, delay: .milliseconds(20)))
        let sandbox = setup.replicas.sandbox
        _ = try Self.writeADaysNotes(on: setup.replicas.desk)
        let target = sandbox.path("clone.sqlite")
        let command = ["clone", "127.0.0.1:\(setup.link.port)", "--store", target, "--expect", setup.hubDevice]
        let refused = try await sandbox.run(command)
        let told = try #require(refused.stderr.firstMatch(of: /gloss trust ([A-Z2-7-]{31})/).map { String($0.1) }, "\(refused)")
        try await sandbox.ok("trust", told, "--role", "read-write", store: setup.replicas.desk)

        let cutter = Self.cutEveryThreeSeconds(setup.link)
        let clone = try await sandbox.run(command + ["--json", "--stall-timeout", "5s", "--timeout", "200s"], timeLimit: .seconds(240))
        cutter.cancel()
        let cuts = await cutter.value
        try await setup.stop()
        #expect(clone.succeeded, "\(clone)")
        let summary = try jsonObject(clone)
        #expect((summary["attempts"] as? Int ?? 0) > 1 && cuts > 1, "\(summary)")
        let hub = try await sandbox.status(setup.replicas.desk)
        let cloned = try await sandbox.status(target)
        let hubChanges = (hub["clock"] as? [String: Int])?.values.reduce(0, +)
        #expect(summary["received"] as? Int == hubChanges, "every change counted once: \(summary)")
        #expect(string(hub, "digest") == string(cloned, "digest"))
    }

    /// A link that goes silent without closing (a fade): the client's watchdog drops the stuck
    /// connection after --stall-timeout and opens a new one, rather than waiting on TCP.
    @Test(.timeLimit(.minutes(3)))
    func aBlackHoledConnectionIsReplacedAndTheSyncCompletes() async throws {
        // 10 KB/s: the day, compressed, takes several seconds, so the fade lands mid-sync.
        let setup = try await Setup.make(profile: .init(bytesPerSecond: 10_000))
        _ = try Self.writeADaysNotes(on: setup.replicas.field)
        let link = setup.link
        let fader = Task.onItsOwnThread {
            // Once the first session is under way, fade for 12 s: three times the stall timeout.
            for _ in 0..<600 where link.bytesToServer < 6_000 { try? await Task.sleep(for: .milliseconds(50)) }
            link.cut(.blackHole)
            try? await Task.sleep(for: .seconds(12))
            link.restore()
        }
        let result = try await setup.sync(["--stall-timeout", "4s", "--timeout", "150s"])
        await fader.value
        try await setup.stop()
        #expect(result.succeeded, "\(result)")
        let summary = try jsonObject(result)
        #expect((summary["attempts"] as? Int ?? 0) >= 2, "\(summary)")
        #expect(link.connections >= 2)
        let hub = try await setup.replicas.sandbox.status(setup.replicas.desk)
        let field = try await setup.replicas.sandbox.status(setup.replicas.field)
        #expect(string(hub, "digest") == string(field, "digest"))
    }

    /// On a terminal, a line on stderr redraws in place with the changes and bytes done; without
    /// one, nothing but the summary is printed. (`script` gives the command a terminal.)
    @Test(.timeLimit(.minutes(2)))
    func aTerminalSeesTheProgressLineAndAPipeDoesNot() async throws {
        let setup = try await Setup.make(profile: .init(bytesPerSecond: 10_000))
        _ = try Self.writeADaysNotes(on: setup.replicas.field, annotations: 300, edits: 0)
        let sandbox = setup.replicas.sandbox
        let command =
            [try GlossBinary.require(), "sync", "127.0.0.1:\(setup.link.port)", "--expect", setup.hubDevice]
            + ["--store", setup.replicas.field]
        let running = try sandbox.start(
            executable: "/usr/bin/script", ["-qfec", command.map(CommandResult.quoted).joined(separator: " "), "/dev/null"],
            environment: sandbox.environment)
        let terminal = try await sandbox.finish(running, timeLimit: .seconds(90))
        #expect(terminal.succeeded, "\(terminal)")
        #expect(terminal.stdout.contains("\r\u{1B}[Ksent "), "\(terminal)")
        #expect(terminal.stdout.contains(" changes, received 0/0 · "), "\(terminal)")
        #expect(terminal.stdout.contains("Synced with"), "\(terminal)")

        _ = try Self.writeADaysNotes(on: setup.replicas.field, annotations: 20, edits: 0)
        let piped = try await sandbox.run(Array(command.dropFirst()))
        try await setup.stop()
        #expect(piped.succeeded && piped.stderr.isEmpty && piped.stdoutLines.count == 1, "\(piped)")
    }

    /// `sync --every` keeps running: a note written while the link is down reaches the hub once
    /// it is back, and each change of state is one line.
    @Test(.timeLimit(.minutes(2)))
    func syncEveryCarriesANoteWrittenWhileOffline() async throws {
        let setup = try await Setup.make(profile: .init())
        let sandbox = setup.replicas.sandbox
        let watch = try sandbox.start([
            "sync", "127.0.0.1:\(setup.link.port)", "--expect", setup.hubDevice, "--every", "3s", "--timeout", "2s",
            "--store", setup.replicas.field,
        ])
        func lines(_ event: String) -> Int { watch.stdoutSoFar.split(separator: "\n").filter { $0.contains(" \(event): ") }.count }
        func waitFor(_ done: () async throws -> Bool) async throws -> Bool {
            for _ in 0..<300 {
                if try await done() { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        #expect(try await waitFor { lines("online") == 1 }, "\(watch.stdoutSoFar)")

        setup.link.cut(.drop)
        let note = try await sandbox.annotate(
            setup.replicas.article, quote: "Kursk Oblast", ["--occurrence", "1", "--note", "written offline"], store: setup.replicas.field)
        #expect(try await waitFor { lines("offline") == 1 }, "\(watch.stdoutSoFar)")

        setup.link.restore()
        let arrived = try await waitFor {
            let listed = try await sandbox.ok("annotations", "--json", store: setup.replicas.desk)
            return try jsonArray(listed).contains { string($0, "id") == note }
        }
        #expect(arrived, "\(watch.stdoutSoFar)")
        #expect(try await waitFor { lines("online") == 2 }, "\(watch.stdoutSoFar)")
        watch.kill()
        _ = try await sandbox.finish(watch)
        try await setup.stop()
        #expect(lines("offline") == 1, "one line per change of state: \(watch.stdoutSoFar)")
    }

    /// --timeout bounds the whole command: a link that never comes back ends it with one line,
    /// and the attempts it made.
    @Test(.timeLimit(.minutes(2)))
    func timeoutEndsTheRetriesWithOneLine() async throws {
        let setup = try await Setup.make(profile: .init())
        setup.link.cut(.drop)
        let result = try await setup.sync(["--timeout", "4s"])
        expectCleanFailure(result, mentioning: ["sync with 127.0.0.1", "attempts in"])
        #expect(setup.link.connections == 0)

        // gloss peers keeps the last error of each address, until a sync with it completes.
        let sandbox = setup.replicas.sandbox
        let address = "127.0.0.1:\(setup.link.port)"
        let failed = try jsonArray(try await sandbox.ok("peers", "--json", store: setup.replicas.field))
        let entry = try #require(failed.first { string($0, "address") == address }, "\(failed)")
        #expect(entry["replica"] == nil && entry["last_sync"] == nil)
        #expect((entry["last_error"] as? [String: Any]).flatMap { string($0, "message") }?.contains("attempts in") == true, "\(entry)")
        let text = try await sandbox.ok("peers", store: setup.replicas.field)
        #expect(text.stdoutLines.contains("\(address)  never synced"), "\(text)")
        #expect(text.stdoutLines.contains { $0.hasPrefix("    last error ") && $0.contains("attempts in") }, "\(text)")

        setup.link.restore()
        #expect(try await setup.sync([]).succeeded)
        let synced = try jsonArray(try await sandbox.ok("peers", "--json", store: setup.replicas.field))
        #expect(synced.count == 1 && synced[0]["last_error"] == nil && string(synced[0], "address") == address, "\(synced)")
        try await setup.stop()
    }

    /// A link that accepts and then carries nothing (a captive portal, a fade from the first
    /// packet): --timeout ends the attempt under way, not only the retries. Such an attempt
    /// used to wait forever once its handshake deadline had passed.
    @Test(.timeLimit(.minutes(2)))
    func timeoutEndsAnAttemptThatNeverHearsTheServer() async throws {
        let setup = try await Setup.make(profile: .init())
        setup.link.cut(.blackHole)
        let address = "127.0.0.1:\(setup.link.port)"
        let result = try await setup.replicas.sandbox.run(
            ["sync", address, "--expect", setup.hubDevice, "--timeout", "3s", "--store", setup.replicas.field], timeLimit: .seconds(60))
        expectCleanFailure(result, mentioning: ["sync with \(address) failed", "(--timeout 3s)"])
        setup.link.restore()
        #expect(try await setup.sync([]).succeeded)
        try await setup.stop()
    }

    /// What cannot succeed is not retried: a hub that does not trust this device refuses it
    /// once, and the command ends at once, however long --timeout is.
    @Test func aRefusalIsNotRetried() async throws {
        let replicas = try await TwoReplicas.make()
        let hubDevice = try await replicas.sandbox.deviceID(of: replicas.desk)
        let (server, address) = try await replicas.sandbox.serve(replicas.desk)
        let result = try await replicas.sandbox.run(
            ["sync", address, "--expect", hubDevice, "--timeout", "10m", "--store", replicas.field], timeLimit: .seconds(60))
        server.kill()
        _ = try await replicas.sandbox.finish(server)
        expectCleanFailure(result, mentioning: ["does not trust this device"])
        #expect(!result.stderr.contains("attempts"))
    }
}
