import GlossProtocol
import GlossStore
import NIOCore
import NIOPosix

/// Runs one two-way session with a server.
public enum SyncClient {
    public static func sync(
        _ replica: SyncReplica, with endpoint: SyncEndpoint, limits: SyncLimits = SyncLimits(),
        progress: (@Sendable (SyncProgress) -> Void)? = nil
    ) async throws -> SyncReport {
        try await withTaskExecutorPreference(SessionExecutor.shared) {
            try await connect(replica, to: endpoint, limits: limits, progress: progress)
        }
    }

    private static func connect(
        _ replica: SyncReplica, to endpoint: SyncEndpoint, limits: SyncLimits, progress: (@Sendable (SyncProgress) -> Void)?
    ) async throws -> SyncReport {
        let local = try await SyncConnection.offload { try replica.local() }
        let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(limits.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                SyncPipeline.configure(channel, limits: limits)
            }
        return await SyncConnection.run(
            connection, role: .client, replica: replica, local: local, address: endpoint.description, progress: progress)
    }
}
