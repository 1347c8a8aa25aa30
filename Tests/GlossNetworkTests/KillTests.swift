import Foundation
import GlossCore
import GlossNetwork
import GlossStore
import GlossTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGKILL either side of a sync at random moments, with real `gloss` processes: both stores
/// stay intact, every batch is applied wholly or not at all, and the next sync completes,
/// re-sending nothing that was already applied.
@Suite(.onItsOwnThread) struct KillTests {
    static var gloss: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gloss").path
    }

    /// A child process with its stdout captured line by line.
    final class Child: @unchecked Sendable {
        let process = Process()
        let output = Pipe()
        /// Where stderr goes, for the message of a failed expectation.
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-kill-\(UUID().uuidString).err")

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: KillTests.gloss)
            process.arguments = arguments
            process.standardOutput = output
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            process.environment = environment
            try process.run()
        }

        // Every wait below runs on a thread of its own (`onAThreadOfItsOwn`): blocking a
        // cooperative thread for seconds would starve the suite's in-process servers.

        /// The first line of stdout (waits up to 10 s).
        func firstLine() async -> String? {
            await onAThreadOfItsOwn { self.readFirstLine() }
        }

        private func readFirstLine() -> String? {
            let deadline = Date().addingTimeInterval(10)
            var bytes: [UInt8] = []
            while Date() < deadline {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                bytes += chunk
                if let newline = bytes.firstIndex(of: 10) { return String(decoding: bytes[..<newline], as: UTF8.self) }
            }
            return nil
        }

        func kill() async {
            await onAThreadOfItsOwn { self.killNow() }
        }

        private func killNow() {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// A child nobody waited for (a sync still retrying) does not outlive its test.
        deinit { if process.isRunning { killNow() } }

        /// Waits up to `seconds` for the process to exit; true if it did.
        func finished(within seconds: Double) async -> Bool {
            await onAThreadOfItsOwn {
                let deadline = Date().addingTimeInterval(seconds)
                while self.process.isRunning && Date() < deadline { usleep(5000) }
                return !self.process.isRunning
            }
        }

        /// Everything the process prints on stdout, once it closes it.
        func wholeOutput() async -> Data {
            await onAThreadOfItsOwn { self.output.fileHandleForReading.readDataToEndOfFile() }
        }
    }

    /// Sleeps on a thread of its own, so a kill lands when the random delay says.
    static func pause(microseconds: Int) async {
        await onAThreadOfItsOwn { _ = usleep(UInt32(microseconds)) }
    }

    static func integrity(of path: String) async throws -> String {
        try await onAThreadOfItsOwn { try integrityNow(of: path) }
    }

    private static func integrityNow(of path: String) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
            path,
        ]
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    func startServer(_ path: String) async throws -> (Child, String) {
        let server = try Child(["serve", "--store", path, "--listen", "127.0.0.1:0"])
        let line = try #require(await server.firstLine(), "gloss serve printed nothing")
        let address = try #require(line.split(separator: " ").dropFirst(2).first.map(String.init), "no address in: \(line)")
        return (server, address)
    }

    @Test func killingEitherSideAtAnyMomentLosesNothingAndTheNextSyncCompletes() async throws {
        try #require(FileManager.default.fileExists(atPath: Self.gloss), "build gloss first: \(Self.gloss)")
        let seed = UInt64(Date().timeIntervalSince1970)
        var random = SplitMix64(seed: seed)
        let folder = try TemporaryFolder()
        let deskPath = folder.file("desk.sqlite")
        let fieldPath = folder.file("field.sqlite")
        // A history several batches long (batches close at 1000 changes).
        var history = SplitMix64(seed: 5)
        let replicas = try RandomHistory.replicas(count: 1, steps: 5200, using: &history)
        let desk = try makeStore(at: deskPath, name: "desk", changes: replicas[0].log)
        let total = try desk.clock().total
        #expect(total > 3000)

        // The desk trusts the field's key, which the clone finds beside its store path, and the
        // field expects the desk's device: the trust step people take, done beforehand.
        let fieldKey = ReplicaKey()
        try desk.setRole(.readWrite, of: fieldKey.replicaID, name: "field", time: 0)
        #expect(
            FileManager.default.createFile(
                atPath: folder.file(".field.sqlite.clone-key"), contents: Data(fieldKey.privateKeyBytes),
                attributes: [.posixPermissions: 0o600]))
        let expect = ["--expect", desk.identity.replicaID.hex]
        var (server, address) = try await startServer(deskPath)
        // A clone killed early, then syncs killed at random moments, some of them server-side.
        let clone = try Child(["clone", address, "--store", fieldPath, "--name", "field"] + expect)
        await Self.pause(microseconds: 50_000 + random.below(150_000))
        await clone.kill()
        var attempts = 0
        var completed = false
        var lastFailure = ""
        while !completed && attempts < 12 {
            attempts += 1
            #expect(try await Self.integrity(of: deskPath) == "ok", "seed \(seed)")
            let heldBefore = FileManager.default.fileExists(atPath: fieldPath) ? try GlossStore.open(at: fieldPath).clock().total : 0
            if FileManager.default.fileExists(atPath: fieldPath) {
                #expect(try await Self.integrity(of: fieldPath) == "ok", "seed \(seed)")
            }
            let arguments =
                heldBefore == 0 && !FileManager.default.fileExists(atPath: fieldPath)
                ? ["clone", address, "--store", fieldPath, "--json"] + expect : ["sync", address, "--store", fieldPath, "--json"]
            // While sides are being killed, one attempt each: a retrying sync would outlive its server.
            let sync = try Child(arguments + (attempts <= 4 ? ["--timeout", "0"] : []))
            if attempts <= 4 {
                await Self.pause(microseconds: 20_000 + random.below(250_000))
                if attempts % 2 == 0 {
                    await server.kill()
                    _ = await sync.finished(within: 20)
                    (server, address) = try await startServer(deskPath)
                } else {
                    await sync.kill()
                }
                continue
            }
            let output = await sync.wholeOutput()
            #expect(await sync.finished(within: 60), "seed \(seed): sync did not finish")
            guard sync.process.terminationStatus == 0,
                let json = try JSONSerialization.jsonObject(with: output) as? [String: Any]
            else {
                lastFailure = (try? String(contentsOf: sync.errors, encoding: .utf8)) ?? ""
                continue
            }
            completed = true
            // Everything the field held before this session stayed; only what it lacked came.
            #expect(json["received"] as? Int == Int(total) - Int(heldBefore), "seed \(seed): re-sent changes already held")
        }
        await server.kill()
        #expect(completed, "seed \(seed): no sync completed in \(attempts) attempts; the last said: \(lastFailure)")
        let field = try GlossStore.open(at: fieldPath)
        #expect(try field.digest() == (try desk.digest()), "seed \(seed)")
        #expect(try await Self.integrity(of: fieldPath) == "ok")
    }
}
