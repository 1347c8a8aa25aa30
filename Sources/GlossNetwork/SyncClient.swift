import Foundation
import GlossCore
import GlossProtocol
import GlossStore
import NIOCore
import NIOPosix
import NIOSSL

/// Runs one two-way session with a server, inside mutual TLS: the server must prove a key whose
/// replica id this replica trusts, or nothing is sent, not even this replica's certificate.
public enum SyncClient {
    public static func sync(
        _ replica: SyncReplica, with endpoint: SyncEndpoint, trusting trusted: Set<ReplicaID>, limits: SyncLimits = SyncLimits(),
        resuming learned: (budget: Int, compressionRatio: Double)? = nil, progress: (@Sendable (SyncProgress) -> Void)? = nil
    ) async throws -> SyncReport {
        try await withTaskExecutorPreference(SessionExecutor()) {
            try await connect(replica, to: endpoint, trusting: trusted, limits: limits, learned: learned, progress: progress)
        }
    }

    private static func connect(
        _ replica: SyncReplica, to endpoint: SyncEndpoint, trusting trusted: Set<ReplicaID>, limits: SyncLimits,
        learned: (budget: Int, compressionRatio: Double)?, progress: (@Sendable (SyncProgress) -> Void)?
    ) async throws -> SyncReport {
        let (local, key) = try await SyncConnection.offload { (try replica.local(), try replica.key()) }
        let context = try SyncTLS.clientContext(try TLSIdentity(key: key.signingKey))
        let tls = TLSPeer()
        let deadline = limits.deadline.map { NIODeadline.now() + TimeAmount($0 - .now) }
        var connectTimeout = limits.connectTimeout
        if let deadline {
            guard deadline > .now() else { return ranOut(endpoint) }
            connectTimeout = min(connectTimeout, deadline - .now())
        }
        let connection: NIOAsyncChannel<SyncFrame, ByteBuffer>
        do {
            connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    SyncPipeline.configure(channel, limits: limits) { try tls.clientHandlers(context, trusting: trusted) }
                }
        } catch let error where deadline.map({ $0 <= .now() }) == true && isNetworkError(error) {
            return ranOut(endpoint)  // cut short by the deadline, not the connection's own fault
        }
        let cutOff = deadline.map { endSession(connection.channel, at: $0) }
        defer { cutOff?.cancel() }
        let report = await SyncConnection.run(
            connection, role: .client, replica: replica, local: local, address: endpoint.description, tls: tls,
            pingInterval: limits.pingInterval, flushWithin: limits.idleTimeout, resuming: learned, progress: progress)
        if report.outcome == nil, report.bytesReceived == 0 {
            // A link that broke before the server proved its key says nothing about the server.
            guard let found = tls.presentedReplicaID else {
                if report.connectionLost { return report }
                throw SyncClientError.notAGlossServer(endpoint)
            }
            if !trusted.contains(found) { throw SyncClientError.untrustedServer(found: found, endpoint: endpoint) }
        }
        return report
    }

    /// The report of a session that `SyncLimits.deadline` ended.
    private static func ranOut(_ endpoint: SyncEndpoint) -> SyncReport {
        var report = SyncReport(
            outcome: nil, error: ProtocolError(.timeout, ranOutMessage, at: 0), peerReportedError: false,
            address: endpoint.description, bytesSent: 0, bytesReceived: 0)
        report.connectionLost = true
        return report
    }

    static let ranOutMessage = "the time allowed for this sync ran out"

    /// At `deadline`, ends the session as a stalled link would: a `.timeout` the session driver
    /// reads (it tells the peer and closes gracefully), then, should the driver be busy with its
    /// store or a write, a close two seconds later.
    private static func endSession(_ channel: any Channel, at deadline: NIODeadline) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(deadline: deadline) {
            channel.pipeline.fireErrorCaught(ProtocolError(.timeout, ranOutMessage, at: 0))
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }
}

/// Why a client stopped before the session began: the server is not one it may talk to.
public enum SyncClientError: Error, Sendable {
    /// The server proved a key this replica does not trust; nothing was sent to it.
    case untrustedServer(found: ReplicaID, endpoint: SyncEndpoint)
    /// The other end did not complete a Gloss TLS handshake (no device key, another protocol,
    /// or not TLS at all).
    case notAGlossServer(SyncEndpoint)
}

extension SyncClient {
    /// True for an error of opening or keeping a connection (refused, unreachable, timed out,
    /// reset, a name that did not resolve, a TLS connection cut): another attempt may succeed.
    /// A store's or a key's error is not one.
    public static func isNetworkError(_ error: any Error) -> Bool {
        if let failure = error as? NIOConnectionError, failure.connectionErrors.isEmpty, isUnknownName(failure.dnsAError),
            isUnknownName(failure.dnsAAAAError)
        {
            return false  // the name does not exist: a typo, not a network down (that is EAI_AGAIN)
        }
        return error is NIOConnectionError || error is ChannelError || error is IOError || error is NIOSSLError
    }

    private static func isUnknownName(_ error: (any Error)?) -> Bool {
        (error as? SocketAddressError.UnknownHost)?.errorCode == Int(EAI_NONAME)
    }
}
