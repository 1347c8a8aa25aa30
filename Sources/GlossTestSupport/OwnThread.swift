import Foundation

/// Runs blocking work (waiting on a child process, sleeping, waiting out SQLite's busy timeout)
/// on a thread of its own, and awaits it without holding a thread of Swift's cooperative pool.
///
/// That pool has one thread per core: two on CI. A test that blocks one of them for seconds,
/// while another does the same, leaves no thread for any other test's tasks. An in-process
/// server then stops reading, and a session beside it fails with a timeout that is the blocking
/// test's fault, not the server's. A `#expect` belongs outside `body`: the test's context does
/// not reach another thread.
///
///     let status = try await onAThreadOfItsOwn { process.waitUntilExit(); return process.terminationStatus }
public func onAThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        // As much stack as the main thread: the work may be a store's, with GRDB beneath it.
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// `onAThreadOfItsOwn` for work that cannot throw.
public func onAThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
