import Foundation
import GlossCore
import GlossProtocol
import GlossStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import GlossNetwork

/// A server that accepts a connection and never says a byte (a captive portal, a middlebox, a
/// link that fades right after the TCP handshake): a client must give up and close by itself.
@Suite(.onItsOwnThread) struct SilentPeerTests {
    /// Accepts connections on 127.0.0.1 and discards what they send.
    final class SilentServer: Sendable {
        let listener: any Channel
        var port: Int { listener.localAddress?.port ?? 0 }

        init() async throws {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
                .bind(host: "127.0.0.1", port: 0).get()
        }

        func stop() async { try? await listener.close() }
    }

    /// Runs one client session and waits for it at most `limit`; nil when it did not end by
    /// then (the session is left running: the test has failed).
    /// `deadline`, when given, is counted from when the client's store is ready.
    static func session(
        with server: SilentServer, limits: SyncLimits, deadline: Duration? = nil, within limit: Duration
    ) async throws -> SyncReport? {
        let folder = try TemporaryFolder()
        let store = try makeStore(at: folder.file("client.sqlite"), name: "client")
        var limits = limits
        if let deadline { limits.deadline = .now + deadline }
        let endpoint = SyncEndpoint(host: "127.0.0.1", port: server.port)
        let replica = SyncReplica(store: store)
        // Polled rather than awaited: a session that never ends must fail the test, not hang it.
        let outcome = NIOLockedValueBox<Result<SyncReport, any Error>?>(nil)
        Task.onItsOwnThread { [limits] in
            let result: Result<SyncReport, any Error>
            do { result = .success(try await SyncClient.sync(replica, with: endpoint, trusting: [], limits: limits)) } catch {
                result = .failure(error)
            }
            outcome.withLockedValue { $0 = result }
        }
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            if let result = outcome.withLockedValue({ $0 }) { return try result.get() }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// The handshake deadline passes while TLS is still handshaking. The client used to wait
    /// forever after it: TLS holds a half-close back until its handshake completes, and once
    /// the session stops reading it never does. (The bound is generous for a loaded machine:
    /// a hang is forever.)
    @Test func aClientGivesUpOnASilentServerAtItsHandshakeDeadline() async throws {
        let server = try await SilentServer()
        var limits = testLimits(short: true)
        limits.handshakeTimeout = .seconds(1)
        let report = try #require(try await Self.session(with: server, limits: limits, within: .seconds(90)), "the client never ended")
        #expect(report.outcome == nil && report.error?.code == .timeout, "\(report)")
        #expect(report.connectionLost && report.isNetworkFailure)
        await server.stop()
    }

    /// `SyncLimits.deadline` (`gloss sync --timeout`) ends the attempt under way, long before
    /// its own handshake deadline would.
    @Test func theDeadlineEndsAnAttemptUnderWay() async throws {
        let server = try await SilentServer()
        let report = try #require(
            try await Self.session(with: server, limits: testLimits(), deadline: .seconds(2), within: .seconds(60)),
            "the client never ended")
        #expect(report.error?.code == .timeout && report.error?.message.contains("time allowed") == true, "\(report)")
        #expect(report.connectionLost && report.isNetworkFailure)
        await server.stop()
    }

    /// A deadline that passed before the connection was made (the store was slow to read, say)
    /// ends the attempt with the same report, not with a connect error.
    @Test func aDeadlineAlreadyPastEndsTheAttemptAlike() async throws {
        let server = try await SilentServer()
        let report = try #require(
            try await Self.session(with: server, limits: testLimits(), deadline: .zero, within: .seconds(60)), "the client never ended")
        #expect(report.error?.code == .timeout && report.error?.message.contains("time allowed") == true, "\(report)")
        #expect(report.connectionLost && report.isNetworkFailure && report.bytesSent == 0)
        await server.stop()
    }
}
