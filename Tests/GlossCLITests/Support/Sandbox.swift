import Foundation
import GlossTestSupport
import Testing

/// A temporary folder of its own for one test, where `gloss` runs as a user would run it: the
/// folder is the working directory, HOME and XDG_DATA_HOME, with a clean environment
/// (no GLOSS_STORE, NO_COLOR=1). Removed when the test ends.
///
///     let sandbox = try Sandbox()
///     try await sandbox.ok("init")                       // gloss init --store <folder>/store.sqlite
///     let status = try await sandbox.ok("status", "--json")
final class Sandbox: @unchecked Sendable {
    /// Removed afterwards; holds `folder` and the captured output files.
    let root: String
    /// The working directory and HOME: stores, texts and bundles go here.
    let folder: String
    /// The default store, passed as `--store` by `gloss(...)` and `ok(...)`.
    let store: String
    private let outputFolder: String
    private let lock = NSLock()
    private var runCount = 0

    /// How long one command may take before it is killed and the test fails. Generous: a run
    /// takes ~50 ms, but the machine is shared and the tests run in parallel.
    static let commandTimeLimit: Duration = .seconds(60)

    init() throws {
        _ = try GlossBinary.require()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-cli-test-\(UUID().uuidString)").path
        folder = root + "/work"
        outputFolder = root + "/output"
        store = folder + "/store.sqlite"
        for path in [folder, outputFolder, folder + "/tmp"] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
    }

    deinit {
        // A test may have made a folder read-only; give everything back first.
        if let paths = FileManager.default.enumerator(atPath: root) {
            for case let path as String in paths { chmod(root + "/" + path, 0o700) }
        }
        chmod(folder, 0o700)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The clean environment every run gets.
    var environment: [String: String] {
        [
            "HOME": folder, "XDG_DATA_HOME": folder + "/xdg", "NO_COLOR": "1", "TMPDIR": folder + "/tmp",
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
        ]
    }

    func path(_ name: String) -> String { folder + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func bytes(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: name.hasPrefix("/") ? name : path(name)).map { [UInt8]($0) }
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: name.hasPrefix("/") ? name : path(name))
    }

    /// Copies the sample article into the folder under `name`.
    @discardableResult
    func copySample(as name: String = "kursk.txt") throws -> String {
        try FileManager.default.copyItem(atPath: GlossBinary.sampleArticle, toPath: path(name))
        return path(name)
    }

    // MARK: Running gloss

    /// Starts `gloss arguments` (no `--store` added) without waiting for it.
    func start(_ arguments: [String]) throws -> RunningProcess {
        try start(executable: try GlossBinary.require(), arguments, environment: environment)
    }

    /// Starts any executable in the folder, its output captured beside gloss's.
    func start(executable: String, _ arguments: [String], environment: [String: String]) throws -> RunningProcess {
        let number = lock.withLock {
            runCount += 1
            return runCount
        }
        return try RunningProcess(
            binary: executable, arguments: arguments, environment: environment, directory: folder,
            stdoutPath: outputFolder + "/\(number).out", stderrPath: outputFolder + "/\(number).err")
    }

    /// Commands run with `run` (every short command the tests give) at once across the suite: a
    /// few more than the two cores CI has, since a command spends much of its time waiting on
    /// `fsync`. Processes begun with `start` (servers, syncs that are killed) take none.
    static let commandsAtOnce = AsyncPermits(count: 4)

    /// Runs `gloss arguments` exactly as given, killing it past the time limit.
    func run(_ arguments: [String], timeLimit: Duration = Sandbox.commandTimeLimit) async throws -> CommandResult {
        try await Self.commandsAtOnce.whileHolding { try await finish(try start(arguments), timeLimit: timeLimit) }
    }

    /// Waits for a started process, killing it past the time limit (which fails the test).
    func finish(_ running: RunningProcess, timeLimit: Duration = Sandbox.commandTimeLimit) async throws -> CommandResult {
        // On a thread of its own: awaiting a plain task's result after cancelling it would wait
        // for a turn on the loaded cooperative pool, holding the command's permit meanwhile.
        let watchdog = Task.onItsOwnThread {
            try await Task.sleep(for: timeLimit)
            return running.kill()
        }
        let result = await running.finish()
        watchdog.cancel()
        if case .success(true) = await watchdog.result { throw CommandTimedOut(result: result, limit: timeLimit) }
        return result
    }

    /// Runs `gloss arguments --store <store>` (the sandbox's store unless told otherwise).
    func gloss(_ arguments: String..., store: String? = nil) async throws -> CommandResult {
        try await run(arguments + ["--store", store ?? self.store])
    }

    /// As `gloss`, and fails the test (throwing) unless the command succeeded.
    @discardableResult
    func ok(_ arguments: String..., store: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> CommandResult {
        let result = try await run(arguments + ["--store", store ?? self.store])
        try #require(result.succeeded, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    /// As `ok`, with the arguments as an array.
    @discardableResult
    func ok(arguments: [String], store: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> CommandResult {
        let result = try await run(arguments + ["--store", store ?? self.store])
        try #require(result.succeeded, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    // MARK: Common steps

    /// `gloss init`, returning the replica id it printed.
    @discardableResult
    func initStore(_ store: String? = nil, name: String? = nil) async throws -> String {
        let result = try await run(["init", "--store", store ?? self.store] + (name.map { ["--name", $0] } ?? []))
        try #require(result.succeeded, "\(result)")
        return try #require(result.stdoutLines.first)
    }

    /// The device id `gloss id` prints for a store.
    func deviceID(of store: String) async throws -> String {
        try #require(string(try jsonObject(try await ok("id", "--json", store: store)), "device"))
    }

    /// The trust step people take before syncing over the network: the server's owner trusts
    /// the client's device, and the client learns the server's device id. Returns the server's
    /// device id, for `--expect`.
    @discardableResult
    func introduce(client: String, to server: String) async throws -> String {
        try await ok("trust", try await deviceID(of: client), "--role", "read-write", store: server)
        return try await deviceID(of: server)
    }

    /// Starts `gloss serve` for `store` on 127.0.0.1 with a port the system picks, and returns it
    /// with the HOST:PORT from its first line, waiting up to ten seconds for it.
    func serve(_ store: String) async throws -> (server: RunningProcess, address: String) {
        let server = try start(["serve", "--store", store, "--listen", "127.0.0.1:0"])
        for _ in 0..<200 {
            let words = server.stdoutSoFar.split(separator: "\n").first?.split(separator: " ") ?? []
            if words.count > 2, words[0] == "listening" { return (server, String(words[2])) }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.kill()
        Issue.record("gloss serve printed no address: \(server.stdoutSoFar)")
        throw CancellationError()
    }

    /// Imports a file, returning the article id printed.
    func importArticle(_ file: String, _ options: [String] = [], store: String? = nil) async throws -> String {
        let result = try await run(["import", file] + options + ["--store", store ?? self.store])
        try #require(result.succeeded, "\(result)")
        let id = try #require(result.stdoutLines.first)
        try #require(isID(id), "\(result)")
        return id
    }

    /// Annotates, returning the annotation id printed.
    func annotate(_ article: String, quote: String, _ options: [String] = [], store: String? = nil) async throws -> String {
        let result = try await run(["annotate", article, "--quote", quote] + options + ["--store", store ?? self.store])
        try #require(result.succeeded, "\(result)")
        try #require(result.stdoutLines.count == 1 && isID(result.stdoutLines[0]), "\(result)")
        return result.stdoutLines[0]
    }

    /// `status --json`, decoded.
    func status(_ store: String? = nil) async throws -> [String: Any] {
        try jsonObject(try await ok("status", "--json", store: store))
    }

    /// The store as far as a user can tell: its digest and clock (from `status --json`), and its
    /// files' bytes. See `StoreSnapshot`.
    func snapshot(_ store: String? = nil) async throws -> StoreSnapshot {
        let store = store ?? self.store
        // Files after `status`: the first open after `init` adds a free page (see StoreSnapshot),
        // so a snapshot is always of a store that has been opened at least once.
        let status = try await self.status(store)
        let files = StoreSnapshot.files(of: store)
        return StoreSnapshot(
            digest: try #require(status["digest"] as? String),
            clock: try #require(status["clock"] as? [String: Int]),
            files: files)
    }
}

/// 32 lowercase hex digits: how gloss prints every id.
func isID(_ text: String) -> Bool {
    text.utf8.count == 32
        && text.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
}
