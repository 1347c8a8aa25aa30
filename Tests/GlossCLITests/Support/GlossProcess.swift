import Foundation

/// What one run of `gloss` did: its arguments, how it ended, and everything it printed.
struct CommandResult: Sendable, CustomStringConvertible {
    let arguments: [String]
    /// The exit status, or the signal number when `signaled`.
    let status: Int32
    let signaled: Bool
    let stdoutBytes: [UInt8]
    let stderrBytes: [UInt8]

    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }
    var succeeded: Bool { !signaled && status == 0 }

    /// Stdout split into lines, without the empty string after the final newline.
    var stdoutLines: [String] { Self.lines(stdout) }
    var stderrLines: [String] { Self.lines(stderr) }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// For failure messages: the command as typed, how it ended, and its output.
    var description: String {
        let ending = signaled ? "killed by signal \(status)" : "exit \(status)"
        return "gloss \(arguments.map(Self.quoted).joined(separator: " ")) → \(ending)\n"
            + "stdout: \(stdout.debugDescription)\nstderr: \(stderr.debugDescription)"
    }

    static func quoted(_ argument: String) -> String {
        argument.isEmpty || argument.contains(where: { " \"'$\\\n\r".contains($0) }) ? argument.debugDescription : argument
    }
}

/// One running process (`gloss`, or a helper such as python3), started with its output going to
/// files (so a chatty process can never block on a full pipe), which can be awaited and killed.
///
///     let running = try RunningProcess(binary: path, arguments: ["status"], environment: env,
///                                    directory: folder, stdoutPath: out, stderrPath: err)
///     _ = running.kill()               // SIGKILL, if it is still running
///     let result = await running.finish()
final class RunningProcess: @unchecked Sendable {
    let arguments: [String]
    private let process = Process()
    private let stdoutPath: String
    private let stderrPath: String
    /// Shared with the termination handler, which must not hold the process's owner.
    private let exit = ExitState()

    init(
        binary: String, arguments: [String], environment: [String: String], directory: String,
        stdoutPath: String, stderrPath: String
    ) throws {
        self.arguments = arguments
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        for path in [stdoutPath, stderrPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer {
            try? output.close()
            try? errors.close()
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        process.terminationHandler = { [exit] _ in exit.markExited() }
        try process.run()
    }

    /// A process nobody waited for (a test that threw half-way) does not outlive its test.
    deinit { kill() }

    var pid: Int32 { process.processIdentifier }

    /// When the process was seen to exit, on the thread that reaped it: a task awaiting
    /// `finish()` may resume much later, when the cooperative pool is busy.
    var exitedAt: ContinuousClock.Instant? { exit.exitedAt }

    /// Sends SIGKILL if the process has not exited yet; true when it did send it.
    @discardableResult
    func kill() -> Bool {
        // Never signal pid 0 (the whole process group): a process that failed to launch has it.
        let pid = pid
        guard pid > 0 else { return false }
        return exit.unlessExited { Foundation.kill(pid, SIGKILL) == 0 } ?? false
    }

    /// What the process has printed on stdout so far.
    var stdoutSoFar: String { String(decoding: FileManager.default.contents(atPath: stdoutPath) ?? Data(), as: UTF8.self) }

    /// Waits for the process to end, then reads what it printed.
    func finish() async -> CommandResult {
        await exit.wait()
        let read = { (path: String) in [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }
        return CommandResult(
            arguments: arguments, status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal,
            stdoutBytes: read(stdoutPath), stderrBytes: read(stderrPath))
    }

    private final class ExitState: @unchecked Sendable {
        private let lock = NSLock()
        private var exited = false
        private var exitInstant: ContinuousClock.Instant?
        private var waiters: [CheckedContinuation<Void, Never>] = []

        var exitedAt: ContinuousClock.Instant? {
            lock.lock()
            defer { lock.unlock() }
            return exitInstant
        }

        func markExited() {
            let now = ContinuousClock.now
            lock.lock()
            exited = true
            exitInstant = now
            let waiting = waiters
            waiters = []
            lock.unlock()
            for waiter in waiting { waiter.resume() }
        }

        /// Runs `body` under the lock unless the process has exited (then nil).
        func unlessExited<T>(_ body: () -> T) -> T? {
            lock.lock()
            defer { lock.unlock() }
            return exited ? nil : body()
        }

        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.lock()
                if exited {
                    lock.unlock()
                    continuation.resume()
                } else {
                    waiters.append(continuation)
                    lock.unlock()
                }
            }
        }
    }
}

/// A `gloss` run that took longer than its time limit; the process was killed.
struct CommandTimedOut: Error, CustomStringConvertible {
    let result: CommandResult
    let limit: Duration
    var description: String { "timed out after \(limit), killed: \(result)" }
}
