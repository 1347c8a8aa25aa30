import Dispatch

/// A task executor with a thread of its own (a serial dispatch queue, which libdispatch gives
/// an overcommitting thread whenever it has work).
///
/// Swift Testing starts every test as a task on the cooperative pool, which has one thread per
/// core: two on CI, shared by some 500 tests. A test that awaits goes back to the end of that
/// queue, and under the whole suite may wait there for a minute. A test whose timing matters
/// (it stands in for a peer against a server's deadlines, or aims kills at a running process)
/// runs on one of these instead, with `.onItsOwnThread`.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    public init(label: String = "gloss-test.dedicated") {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // The block holds the executor while the job runs; between jobs its owner does.
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension Task where Failure == any Error {
    /// An unstructured task on a `DedicatedExecutor` of its own: a plain `Task {}` or
    /// `Task.detached {}` (which take no executor preference from the test that makes them)
    /// would wait its turn behind the whole suite on the cooperative pool.
    @discardableResult
    public static func onItsOwnThread(_ operation: @escaping @Sendable () async throws -> Success) -> Task<Success, any Error> {
        let executor = DedicatedExecutor()
        return Task(executorPreference: executor) {
            // The task holds its preferred executor; the capture says so where it matters.
            defer { withExtendedLifetime(executor) {} }
            return try await operation()
        }
    }
}

extension Task where Failure == Never {
    /// As the throwing `onItsOwnThread`, for work that cannot throw.
    @discardableResult
    public static func onItsOwnThread(_ operation: @escaping @Sendable () async -> Success) -> Task<Success, Never> {
        let executor = DedicatedExecutor()
        return Task(executorPreference: executor) {
            defer { withExtendedLifetime(executor) {} }
            return await operation()
        }
    }
}
