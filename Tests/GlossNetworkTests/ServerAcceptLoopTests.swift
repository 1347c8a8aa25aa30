import Foundation
import GlossNetwork
import GlossStore
import GlossTestSupport
import Testing

/// A server keeps accepting while the executor of the task that runs it makes no progress: a
/// caller blocking Swift's cooperative pool (two threads on a two-core machine) must not leave
/// new connections waiting until their handshake times out.
@Suite(.onItsOwnThread) struct ServerAcceptLoopTests {
    /// An executor that runs jobs on a queue of its own until frozen, then holds them.
    final class FreezableExecutor: TaskExecutor, @unchecked Sendable {
        private let queue = DispatchQueue(label: "gloss-test.freezable")
        private let lock = NSLock()
        private var frozen = false
        private var held: [UnownedJob] = []

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            lock.lock()
            defer { lock.unlock() }
            if frozen { held.append(job) } else { queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) } }
        }

        func freeze() {
            lock.lock()
            frozen = true
            lock.unlock()
        }

        func thaw() {
            lock.lock()
            frozen = false
            let jobs = held
            held = []
            lock.unlock()
            for job in jobs { queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) } }
        }
    }

    @Test func aServerWhoseCallersExecutorIsStuckStillServes() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 3)
        let desk = try makeStore(at: folder.file("desk.sqlite"), name: "desk")
        try editRandomly(desk, count: 5, using: &random)
        let field = try makeStore(at: folder.file("field.sqlite"), storeID: desk.identity.storeID, name: "field")
        try desk.setRole(.readWrite, of: field.identity.replicaID, time: 0)
        // Long enough for a loaded machine, short enough that a server that stopped accepting
        // fails the test in seconds, not a minute.
        var limits = testLimits()
        limits.handshakeTimeout = .seconds(20)
        let server = try await SyncServer.bind(store: desk, to: SyncEndpoint(host: "127.0.0.1", port: 0), limits: limits)
        let endpoint = SyncEndpoint(host: "127.0.0.1", port: server.port)
        let executor = FreezableExecutor()
        let serving = Task(executorPreference: executor) { try await server.run() }
        defer {
            // However the test ends, the server's task can run and stops (closing its listener).
            executor.thaw()
            serving.cancel()
        }
        let sync = {
            try await SyncClient.sync(SyncReplica(store: field), with: endpoint, trusting: [desk.identity.replicaID], limits: limits)
        }

        let first = try await sync()
        #expect(first.outcome?.receivedChanges == 5, "\(first.error?.description ?? "")")
        executor.freeze()
        try editRandomly(desk, count: 3, using: &random)
        let second = try await sync()
        #expect(second.outcome?.receivedChanges == 3, "the server stopped accepting: \(second.error?.description ?? "")")
        executor.thaw()
        await server.close()
        _ = await serving.result
    }
}
