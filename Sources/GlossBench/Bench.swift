import Foundation
import GlossCore
import GlossNetwork
import GlossStore

#if canImport(Glibc)
    import Glibc
#endif

/// `gloss-bench`: runs the peer benchmark's workload (shared/bench/PEERS.md) through Gloss and
/// prints the same columns as the peers' tables, so ratios can be taken from one run.
///
///     swift build -c release && .build/release/gloss-bench [--out DIR]
///
/// Sizes come from the same environment variables as the peers' harness: ARTICLES (1000),
/// ANNOTATIONS (100000), UPDATES (100000), INCR (1000), INCR_ROUNDS (2), SEED (42). With
/// `--json` it prints one JSON object in the harness's keys (`BenchResults`) instead of tables.
@main
struct Bench {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        func size(_ name: String, _ fallback: Int) -> Int { environment[name].flatMap(Int.init) ?? fallback }
        let arguments = CommandLine.arguments
        let out = arguments.firstIndex(of: "--out").map { arguments[$0 + 1] } ?? NSTemporaryDirectory() + "gloss-bench-\(getpid())"
        let json = arguments.contains("--json")
        try? FileManager.default.removeItem(atPath: out)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let gloss = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gloss").path

        let clock = ContinuousClock()
        var started = clock.now
        let workload = Workload(
            articles: size("ARTICLES", 1000), annotations: size("ANNOTATIONS", 100_000), updates: size("UPDATES", 100_000),
            incremental: size("INCR", 1000), rounds: size("INCR_ROUNDS", 2), seed: UInt64(size("SEED", 42))
        )
        let operations = workload.operationCount
        note(
            "workload: \(workload.articles.count) articles, \(workload.annotations.count) annotations, \(workload.updates.count) updates = \(operations) ops (generated in \(seconds(clock.now - started)) s)"
        )

        // (a) Local edits on A: one change (one transaction) per article, annotation and update.
        let a = try GlossStore.create(at: out + "/A.sqlite", name: "A")
        started = clock.now
        let (articleIDs, annotationIDs) = try load(workload, into: a)
        let localEdits = clock.now - started
        let localChanges = workload.articles.count + workload.annotations.count + workload.updates.count
        note("local edits: \(seconds(localEdits)) s, \(localChanges) changes")
        // The floor: durable commits alone, same settings, same run (at most 20,000 of them).
        let floor = try CommitFloor.measure(commits: min(localChanges, 20_000), in: out)
        note("commit floor: \(floor.microsecondsPerCommit) µs a commit")

        // (b-d) Full sync A -> empty B over loopback TCP, each side its own gloss process. A
        // trusts B's key beforehand, and the clone is told A's device id, as people would do.
        let bKey = ReplicaKey()
        try a.setRole(.readWrite, of: bKey.replicaID, name: "B", time: 0)
        guard
            FileManager.default.createFile(
                atPath: out + "/.B.sqlite.clone-key", contents: Data(bKey.privateKeyBytes), attributes: [.posixPermissions: 0o600])
        else {
            throw BenchError("cannot write B's clone key")
        }
        let server = try Child(gloss, ["serve", "--store", out + "/A.sqlite", "--listen", "127.0.0.1:0"])
        guard let line = server.firstLine(), let address = line.split(separator: " ").dropFirst(2).first else {
            throw BenchError("gloss serve did not start")
        }
        started = clock.now
        let client = try Child(
            gloss,
            ["clone", String(address), "--store", out + "/B.sqlite", "--name", "B", "--json", "--expect", a.identity.replicaID.hex])
        let clientPeak = client.watchPeakMemory()
        let cloneOutput = client.readAll()
        let clientUsage = client.wait()
        let fullSync = clock.now - started
        let serverPeak = server.peakMemory() ?? 0
        server.terminate()
        _ = server.wait()
        guard clientUsage.status == 0, let summary = try JSONSerialization.jsonObject(with: cloneOutput) as? [String: Any],
            let wireBytes = summary["bytes_received"] as? Int, let sentBytes = (summary["bytes_sent"] as? Int)
        else { throw BenchError("gloss clone failed: \(String(decoding: cloneOutput, as: UTF8.self))") }
        note("full sync: \(seconds(fullSync)) s, \(wireBytes) bytes")

        let b = try GlossStore.open(at: out + "/B.sqlite")
        let signing = try SigningCost.measure(a)
        note("signing: \(signing.signedBytes - signing.unsignedBytes) bytes of signatures, \(seconds(signing.verifying)) s to verify")
        let converged = try a.digest().digest == b.digest().digest
        let expected = ExpectedState.digest(of: try b.state(), articleIDs: articleIDs, annotationIDs: annotationIDs)
        let defaults = operations == 1_004_000 && size("SEED", 42) == 42
        let disk = try fileSize(out + "/A.sqlite")

        // (e) Incremental rounds: A and B write the same fields concurrently, then one session.
        let served = try await SyncServer.bind(store: a, to: SyncEndpoint(host: "127.0.0.1", port: 0))
        let serving = Task { try await served.run() }
        var rounds: [BenchResults.Round] = []
        for (number, pairs) in workload.rounds.enumerated() {
            started = clock.now
            for pair in pairs {
                let field: Field = pair.field == "note" ? .note : .color
                try a.commit(time: 1) { _ in [.set(entity: annotationIDs[pair.annotation], field: field, value: pair.a)] }
                try b.commit(time: 1) { _ in [.set(entity: annotationIDs[pair.annotation], field: field, value: pair.b)] }
            }
            let edits = clock.now - started
            started = clock.now
            let report = try await SyncClient.sync(
                SyncReplica(store: b), with: SyncEndpoint(host: "127.0.0.1", port: served.port), trusting: [a.identity.replicaID])
            let session = clock.now - started
            guard let outcome = report.outcome else { throw BenchError("round \(number + 1) failed: \(report.error?.description ?? "?")") }
            let state = try b.state()
            var winners = (a: 0, b: 0)
            for pair in pairs where pair.a != pair.b {
                let shown = state.annotations[annotationIDs[pair.annotation]]?.value(of: pair.field == "note" ? .note : .color)
                if shown == pair.a { winners.a += 1 } else if shown == pair.b { winners.b += 1 }
            }
            _ = outcome
            // B is the client: what it sent went B → A.
            rounds.append(
                BenchResults.Round(
                    ops: pairs.count, editS: edits.inSeconds, sessionS: session.inSeconds, bytesAB: report.bytesReceived,
                    bytesBA: report.bytesSent, converged: try a.digest() == b.digest(), aWins: winners.a, bWins: winners.b))
        }
        // (f) A sync when both already hold everything: the HELLOs settle it.
        var inSync: [Duration] = []
        for _ in 0..<9 {
            started = clock.now
            let report = try await SyncClient.sync(
                SyncReplica(store: b), with: SyncEndpoint(host: "127.0.0.1", port: served.port), trusting: [a.identity.replicaID])
            inSync.append(clock.now - started)
            guard let outcome = report.outcome, outcome.sentChanges + outcome.receivedChanges == 0 else {
                throw BenchError("a sync in step failed or moved changes: \(report.error?.description ?? "?")")
            }
        }
        await served.close()
        _ = await serving.result

        // (g) A command's process, start to exit, beside sqlite3's one durable insert.
        let start = try ProcessStart.measure(gloss: gloss, store: out + "/A.sqlite", annotation: annotationIDs[0], in: out)
        note("process start: --version \(start.versionMS) ms, edit \(start.editMS) ms, sqlite3 insert \(start.sqliteInsertMS ?? 0) ms")

        let matchesReference = defaults ? expected == ExpectedState.referenceDigest : nil
        let versionOutput = try Child(gloss, ["--version"])
        let version = versionOutput.firstLine() ?? "?"
        _ = versionOutput.wait()
        let results = BenchResults(
            version: version, ops: operations, editS: localEdits.inSeconds, localChanges: localChanges,
            commitFloorMicroseconds: floor.microsecondsPerCommit, fullSyncS: fullSync.inSeconds, fullBytes: wireBytes,
            fullBytesBA: sentBytes, peakRSSMB: .init(a: Double(serverPeak) / 1024, b: Double(clientPeak.value) / 1024),
            storeBytes: disk, stateSHA256: expected, fullSyncOK: converged && matchesReference != false, signing: signing.summary,
            incr: rounds, inSyncS: inSync.sorted()[inSync.count / 2].inSeconds, inSyncSessions: inSync.count, processStart: start)
        print(json ? try results.json() : results.markdown(seed: size("SEED", 42), matchesReference: matchesReference))
        if !converged || (defaults && expected != ExpectedState.referenceDigest) { exit(1) }
    }

    /// Phase 1 of the workload as local edits on `store`; returns the Gloss ids of "a{i}" and "n{j}".
    static func load(_ workload: Workload, into store: GlossStore) throws -> ([EntityID], [EntityID]) {
        var articleIDs: [EntityID] = []
        for article in workload.articles {
            let id = ArticleText.id(of: article.body)
            articleIDs.append(id)
            try store.commit(time: 1) { _ in
                [
                    .createArticle(id: id, body: article.body), .set(entity: id, field: .title, value: article.title),
                    .set(entity: id, field: .source, value: article.source),
                ]
            }
        }
        var annotationIDs: [EntityID] = []
        for annotation in workload.annotations {
            let body = Array(workload.articles[annotation.article].body.utf8)
            let start = annotation.offset
            let end = start + 60
            let anchor = Anchor(
                exact: annotation.quote,
                prefix: String(decoding: body[max(0, start - 32)..<start], as: UTF8.self),
                suffix: String(decoding: body[end..<min(body.count, end + 32)], as: UTF8.self),
                start: UInt64(start), end: UInt64(end)
            )
            let change = try store.commit(time: 1) { dot in
                let id = ID128.annotation(createdAt: dot, index: 0)
                return [
                    .createAnnotation(id: id, article: articleIDs[annotation.article], anchor: anchor),
                    .set(entity: id, field: .note, value: annotation.note), .set(entity: id, field: .color, value: annotation.color),
                ]
                    + annotation.tags.map { .addTag(entity: id, tag: $0) }
            }
            annotationIDs.append(ID128.annotation(createdAt: change.id, index: 0))
        }
        for update in workload.updates {
            let field: Field = update.field == "note" ? .note : .color
            try store.commit(time: 1) { _ in [.set(entity: annotationIDs[update.annotation], field: field, value: update.value)] }
        }
        return (articleIDs, annotationIDs)
    }

    static func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", duration.inSeconds)
    }

    static func fileSize(_ path: String) throws -> Int {
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        return (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) + wal
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process started with posix_spawn, so its own peak memory can be read with wait4.
final class Child: @unchecked Sendable {  // immutable after init
    let pid: pid_t
    let stdout: Int32

    init(_ path: String, _ arguments: [String]) throws {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw BenchError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        for pointer in argv { free(pointer) }
        posix_spawn_file_actions_destroy(&actions)
        close(pipeEnds[1])
        guard result == 0 else { throw BenchError("cannot run \(path): \(String(cString: strerror(result)))") }
        self.pid = pid
        stdout = pipeEnds[0]
    }

    func firstLine() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(stdout, &byte, 1) == 1 {
            if byte == 10 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return nil
    }

    func readAll() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(stdout, &buffer, buffer.count)
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    func terminate() { kill(pid, SIGTERM) }

    /// Exit status of the child.
    func wait() -> (status: Int32, ()) {
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return ((status >> 8) & 0xff, ())
    }

    /// The child's peak resident memory so far (VmHWM, KiB), read from /proc. (Not wait4's
    /// ru_maxrss: a spawned child's starts at the spawning process's size, which here is the
    /// whole workload.)
    func peakMemory() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// Samples `peakMemory` every 20 ms until the child exits; `value` is the last reading.
    func watchPeakMemory() -> PeakWatch {
        let watch = PeakWatch()
        Thread {
            while let peak = self.peakMemory(), kill(self.pid, 0) == 0 {
                watch.value = max(watch.value, peak)
                usleep(20_000)
            }
        }.start()
        return watch
    }
}

final class PeakWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    var value: Int {
        get {
            lock.lock()
            defer { lock.unlock() }
            return peak
        }
        set {
            lock.lock()
            peak = newValue
            lock.unlock()
        }
    }
}
