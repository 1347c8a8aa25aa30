import Dispatch

/// Runs one sync session (or a server's accept loop) on a dispatch thread of its own rather
/// than the shared cooperative pool, so a session keeps its deadlines even while other code in
/// the process blocks that pool (a test waiting on a child process, a caller doing synchronous
/// work), and so one session's work (decoding and inflating a 16 MiB batch, say) never holds
/// up another's reads and deadlines.
///
/// One per session, never shared: a session's jobs run one at a time, as a task's must, and
/// sessions run side by side.
final class SessionExecutor: TaskExecutor, @unchecked Sendable {
    /// Serial, so it gets a thread of its own when it has work (libdispatch gives concurrent
    /// queues threads from the non-overcommitting pool, which blocked callers can exhaust).
    /// Sessions only decide and await here; their store work runs on NIO's thread pool.
    private let queue: DispatchQueue

    init(label: String = "gloss.sync-session") {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // The block holds the executor while the job runs; between jobs the task does.
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
