import GlossCore
import GlossProtocol
import GlossStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Serves sync sessions for one store: one task per connection, so a bad or slow connection
/// never affects another.
///
///     let server = try await SyncServer.bind(store: store, to: SyncEndpoint(host: "127.0.0.1", port: 0))
///     print(server.port)
///     try await server.run()     // until close()
public final class SyncServer: Sendable {
    public typealias Log = @Sendable (String) -> Void

    typealias Connection = (channel: NIOAsyncChannel<SyncFrame, ByteBuffer>, tls: TLSPeer, address: String)

    let listener: NIOAsyncChannel<Connection, Never>
    let store: GlossStore
    let gate: DeviceGate
    let limits: SyncLimits
    let log: Log
    let active = NIOLockedValueBox(0)
    let handshakeFailures = RefusalLog()
    /// The port actually bound (the one asked for, or the one the system picked for port 0).
    public let port: Int

    public static func bind(store: GlossStore, to endpoint: SyncEndpoint, limits: SyncLimits = SyncLimits(), log: @escaping Log = { _ in })
        async throws -> SyncServer
    {
        let context = try SyncTLS.serverContext(try TLSIdentity(key: try store.replicaKey().signingKey))
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AcceptErrorHandler(log: log)) }
            }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: endpoint.host, port: endpoint.port) { channel -> EventLoopFuture<Connection> in
                let tls = TLSPeer()
                let address = channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                return SyncPipeline.configure(channel, limits: limits) { tls.serverHandlers(context) }.map { ($0, tls, address) }
            }
        return SyncServer(listener: listener, store: store, limits: limits, log: log)
    }

    private init(listener: NIOAsyncChannel<Connection, Never>, store: GlossStore, limits: SyncLimits, log: @escaping Log) {
        self.listener = listener
        self.store = store
        gate = DeviceGate(store: store, log: log, refusals: RefusalLog())
        self.limits = limits
        self.log = log
        port = listener.channel.localAddress?.port ?? 0
    }

    /// Accepts connections until `close()`; each session runs in its own task.
    ///
    /// The accept loop runs on an executor of its own, whatever task called this: on the
    /// shared cooperative pool, a caller that blocks its threads (a test waiting on a child
    /// process, a command doing synchronous store work) would leave new connections unserved
    /// until their handshake timed out.
    public func run() async throws {
        try await withTaskExecutorPreference(SessionExecutor(label: "gloss.accept")) {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { connections in
                    for try await connection in connections {
                        let executor = SessionExecutor()
                        // The task holds its preferred executor; the capture makes that explicit.
                        group.addTask(executorPreference: executor) {
                            await self.serve(connection)
                            withExtendedLifetime(executor) {}
                        }
                    }
                }
            }
        }
    }

    public func close() async {
        try? await listener.channel.close()
    }

    private func serve(_ accepted: Connection) async {
        let connection = accepted.channel
        let address = accepted.address
        let admitted = active.withLockedValue { count -> Bool in
            guard count < limits.maximumSessions else { return false }
            count += 1
            return true
        }
        guard admitted else {
            try? await connection.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: SyncProtocol.magic))
                try await outbound.write(
                    ByteBuffer(
                        bytes: SyncMessage.error(
                            code: .busy, message: "the server is serving \(counted(limits.maximumSessions, "session")); try again later"
                        ).framed()))
                var frames = inbound.makeAsyncIterator()
                await SyncConnection.closeGracefully(
                    connection.channel, draining: &frames, tls: accepted.tls, flushWithin: limits.idleTimeout)
            }
            log("\(address): refused, too many sessions")
            return
        }
        defer { active.withLockedValue { $0 -= 1 } }
        let report = await SyncConnection.run(
            connection, role: .server, replica: SyncReplica(store: store), local: nil, address: address, tls: accepted.tls, gate: gate,
            pingInterval: limits.pingInterval, flushWithin: limits.idleTimeout)
        if accepted.tls.replicaID == nil, report.outcome == nil {
            // No gloss device completed a TLS handshake: a scanner, a browser, an old client.
            // One line a minute per host, so a flood cannot fill the log.
            if handshakeFailures.shouldLog(DeviceGate.host(of: address)) {
                log("\(address): dropped, \(Self.handshakeFailure(report.error?.message ?? ""))")
            }
            return
        }
        // A refused device was logged by the gate (rate-limited); a silent drop stays silent.
        if report.error?.code != .notTrusted || report.peerReportedError { log(report.logLine) }
    }
}

extension SyncServer {
    /// What a failed TLS handshake was, in a few words (BoringSSL's reason names).
    static func handshakeFailure(_ message: String) -> String {
        if message.contains("HTTP_REQUEST") { return "an HTTP request, not a gloss TLS handshake" }
        if message.contains("WRONG_VERSION_NUMBER") { return "not TLS (a gloss before version 0.2, or another protocol)" }
        if message.contains("PROTOCOL_VERSION") || message.contains("UNSUPPORTED_PROTOCOL") { return "a TLS version below 1.3" }
        if message.contains("CERTIFICATE_UNKNOWN") || message.contains("ALERT_BAD_CERTIFICATE") {
            return "the client did not accept this server's device key (it expects another device)"
        }
        if message.contains("CERTIFICATE") || message.contains("certificate") { return "no Ed25519 device certificate" }
        return "no TLS handshake completed"
    }
}

extension SyncReport {
    /// One line for the server's log.
    public var logLine: String {
        if let outcome {
            let name = outcome.peer.name.isEmpty ? "" : " (\(outcome.peer.name))"
            var line =
                "\(address): replica \(outcome.peer.replicaID.hex)\(name): sent \(counted(outcome.sentChanges, "change")), received \(counted(outcome.receivedChanges, "change"))"
            if outcome.diverged, let forked = forkedAuthors.first {
                line += ", states differ because replica \(forked.hex) forked its history (see 'gloss status')"
            } else if outcome.diverged {
                line += ", DIVERGED: same changes, different state"
            }
            return line
        }
        let who = peerReportedError ? "peer reported" : "ended"
        return "\(address): \(who) \(error?.code.name ?? "error"): \(error?.message ?? "unknown")"
    }
}

/// Keeps the listener alive through errors on it: a failed accept (out of file descriptors, a
/// client that reset before it was accepted) is logged and dropped, never passed on to end the
/// stream of connections, which would stop `gloss serve`.
final class AcceptErrorHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = Any
    let log: SyncServer.Log

    init(log: @escaping SyncServer.Log) { self.log = log }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        log("accept failed: \(error) (still serving)")
    }
}
