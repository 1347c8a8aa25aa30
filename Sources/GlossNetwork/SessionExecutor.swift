import Dispatch

/// Runs sync sessions on dispatch threads of their own rather than the shared cooperative
/// pool, so a session keeps its deadlines even while other code in the process blocks that
/// pool (a test waiting on a child process, a caller doing synchronous work).
final class SessionExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = SessionExecutor()

    /// Serial, so it gets a thread of its own (libdispatch gives concurrent queues threads from
    /// the non-overcommitting pool, which blocked callers can exhaust). Sessions only decide
    /// and await here; their store work runs on NIO's thread pool.
    private let queue = DispatchQueue(label: "gloss.sync-sessions")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
