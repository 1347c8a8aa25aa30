import Foundation
import GlossCore
import GlossProtocol
import GlossStore
import GlossTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import GlossNetwork

#if canImport(Glibc)
    import Glibc
#endif

/// A folder of its own for each test, removed afterwards.
final class TemporaryFolder: @unchecked Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-net-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Limits for tests: generous by default (the suite runs many processes at once on a small
/// machine), short where a test is about the timeouts themselves.
func testLimits(maximumSessions: Int = 64, short: Bool = false) -> SyncLimits {
    var limits = SyncLimits()
    // Generous: the suite runs 64 TLS sessions and SIGKILL tests beside these, and every
    // session's store work shares one pool of eight threads in this process.
    // (A handshake under 30 s was seen to fail when CPU-bound tests started beside it.)
    limits.handshakeTimeout = .seconds(short ? 3 : 60)
    limits.idleTimeout = .seconds(short ? 4 : 60)
    limits.connectTimeout = .seconds(5)
    limits.maximumSessions = maximumSessions
    return limits
}

/// A `SyncServer` on 127.0.0.1 with a port the system picked, serving a fresh store.
final class TestServer: @unchecked Sendable {
    let store: GlossStore
    let server: SyncServer
    let task: Task<Void, Error>
    let log = LogLines()
    var endpoint: SyncEndpoint { SyncEndpoint(host: "127.0.0.1", port: server.port) }
    var port: Int { server.port }

    init(store: GlossStore, limits: SyncLimits = testLimits()) async throws {
        self.store = store
        try store.setRole(.readWrite, of: RawConnection.replicaID, name: "raw", time: 0)
        let log = self.log
        server = try await SyncServer.bind(store: store, to: SyncEndpoint(host: "127.0.0.1", port: 0), limits: limits) { log.append($0) }
        let server = self.server
        // Started on a thread of its own: a plain `Task` would wait its turn on the cooperative
        // pool, behind the whole suite, while connections queued unserved.
        task = Task.onItsOwnThread { try await server.run() }
    }

    func stop() async {
        await server.close()
        _ = await task.result
    }

    /// Trusts a device, as the server's owner would with `gloss trust`.
    func trust(_ replica: ReplicaID, role: DeviceRole = .readWrite) throws {
        try store.setRole(role, of: replica, time: 0)
    }

    /// One client session with this server, the client trusted read-write by the server and
    /// trusting it back.
    func sync(_ replica: SyncReplica, limits: SyncLimits = testLimits()) async throws -> SyncReport {
        if try store.role(of: replica.replicaID) != .readWrite { try trust(replica.replicaID) }
        return try await SyncClient.sync(replica, with: endpoint, trusting: [store.identity.replicaID], limits: limits)
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// Whether a line matching `predicate` is logged within fifteen seconds: a server logs a
    /// session after it has closed the connection (TLS's goodbye included), so a test that saw
    /// the close may be early, and with the whole suite running, by seconds.
    func eventually(_ predicate: (String) -> Bool) async -> Bool {
        for _ in 0..<300 {
            if all.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

/// A store with some history: articles, annotations and edits from `SimulatedReplica`.
func makeStore(at path: String, storeID: StoreID? = nil, name: String, changes: [Change] = []) throws -> GlossStore {
    let store = try GlossStore.create(at: path, storeID: storeID, name: name)
    if !changes.isEmpty { try store.apply(TestKeys.sign(changes, store: store.identity.storeID)) }
    return store
}

/// Local edits on a real store, of the kinds people make, for sync tests.
func editRandomly(_ store: GlossStore, count: Int, using random: inout SplitMix64) throws {
    for _ in 0..<count {
        let state = try store.state()
        let articles = state.articles.keys.sorted()
        let alive = state.annotations.values.filter(\.presence.isAlive).map(\.id).sorted()
        let roll = random.below(10)
        if articles.isEmpty || roll == 0 {
            let body = RandomEdits.texts[random.below(RandomEdits.texts.count)] + " #\(random.below(5))"
            let id = ArticleText.id(of: body)
            try store.commit(time: 1) { _ in
                [.createArticle(id: id, body: body), .set(entity: id, field: .title, value: "t\(random.below(3))")]
            }
        } else if alive.isEmpty || roll < 4 {
            let article = articles[random.below(articles.count)]
            let body = state.articles[article]!.body
            let anchor = try QuoteAnchoring.anchor(quote: String(body.prefix(5)), in: body, occurrence: 1)
            try store.commit(time: 2) { dot in
                let id = ID128.annotation(createdAt: dot, index: 0)
                return [
                    .createAnnotation(id: id, article: article, anchor: anchor),
                    .set(entity: id, field: .note, value: "n\(random.below(4))"),
                ]
            }
        } else if roll < 8 {
            let id = alive[random.below(alive.count)]
            try store.commit(time: 3) { _ in [.set(entity: id, field: .note, value: "edit \(random.below(4))")] }
        } else {
            let id = alive[random.below(alive.count)]
            try store.commit(time: 4) { _ in [.addTag(entity: id, tag: ["todo", "verify"][random.below(2)])] }
        }
    }
}

/// A TLS connection that speaks raw bytes inside it: for sending what no Gloss peer would. It
/// proves `RawConnection.key`, which every `TestServer` trusts, and accepts any server key.
final class RawConnection: @unchecked Sendable {
    static let key = ReplicaKey()
    static var replicaID: ReplicaID { key.replicaID }

    /// `changes` (this connection's, from seq 1) signed by its key for `store`.
    static func sign(_ changes: [Change], for store: GlossStore) -> SignedBatch {
        TestKeys.sign(changes, store: store.identity.storeID, extraKeys: [key.signingKey])
    }
    static let context: NIOSSLContext = try! SyncTLS.clientContext(try! TLSIdentity(key: key.signingKey))

    let channel: any Channel
    private let collector: ByteCollector

    /// `sending` is written as soon as the connection is made, from the event loop (TLS holds
    /// it until its handshake is done): not after this initializer returns, when the test's
    /// task may wait for a thread of the cooperative pool (the whole suite's CPU-bound tests can
    /// hold it for tens of seconds) while the server's handshake deadline runs.
    init(port: Int, key: ReplicaKey? = nil, context: NIOSSLContext? = nil, sending first: [UInt8]? = nil) async throws {
        let collector = ByteCollector()
        let context = try context ?? key.map { try SyncTLS.clientContext(try TLSIdentity(key: $0.signingKey)) } ?? Self.context
        let connected = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: nil) { chain, promise in
                        promise.succeed(SyncTLS.provenReplica(chain) == nil ? .failed : .certificateVerified)
                    }
                    try channel.pipeline.syncOperations.addHandlers([tls, collector])
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .map { channel in
                (channel, first.map { channel.writeAndFlush(ByteBuffer(bytes: $0)) })
            }
            .get()
        channel = connected.0
        let firstWrite = connected.1
        self.collector = collector
        // `halfClose` waits for this write: a close before TLS has sent it (the handshake may
        // still be running) would end the connection before the handshake, not after the bytes.
        lastWrite.withLockedValue { $0 = firstWrite }
    }

    private let lastWrite = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)

    func send(_ bytes: [UInt8]) {
        let written = channel.writeAndFlush(ByteBuffer(bytes: bytes))
        lastWrite.withLockedValue { $0 = written }
    }

    /// Ends this side's output (TLS close_notify, then a TCP half-close) once what was sent has
    /// gone out inside TLS and the server's magic has come back: the server sees EOF right after
    /// those bytes. (The magic shows the server's side of the handshake is done. An EOF that
    /// arrives while the server still checks the client's certificate is "EOF during handshake"
    /// in BoringSSL, whatever bytes came before it.)
    func halfClose() async {
        try? await lastWrite.withLockedValue { $0 }?.get()
        for _ in 0..<2000 where collector.bytes.count < SyncProtocol.magic.count {
            try? await Task.sleep(for: .milliseconds(10))
        }
        try? await channel.close(mode: .output)
    }

    func close() {
        channel.close(promise: nil)
    }

    /// What has arrived so far.
    var bytesSoFar: [UInt8] { collector.bytes }

    /// Everything the server sends until it closes the connection, or until `timeout` passes
    /// (a test that expects the server to wait, as after its HELLO, reads what came so far).
    /// Where the server must answer and close, `silenceIsFailure` records a timeout as a
    /// failure, so it is not mistaken for a server that closed without a word.
    func readToEnd(timeout: TimeAmount = .seconds(20), silenceIsFailure: Bool = false) async -> [UInt8] {
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
            return true
        }
        try? await collector.closed.futureResult.get()
        deadline.cancel()
        if silenceIsFailure, (try? await deadline.futureResult.get()) == true {
            Issue.record("the server did not close the connection within \(timeout)")
        }
        return collector.bytes
    }

    /// The messages in what the server sent (after its magic).
    func messagesUntilClose(timeout: TimeAmount = .seconds(20), silenceIsFailure: Bool = false) async throws -> [SyncMessage] {
        try Self.messages(in: await readToEnd(timeout: timeout, silenceIsFailure: silenceIsFailure))
    }

    static func messages(in bytes: [UInt8]) throws -> [SyncMessage] {
        guard bytes.count >= 8, Array(bytes.prefix(8)) == SyncProtocol.magic else { return [] }
        var messages: [SyncMessage] = []
        var offset = 8
        while offset + 4 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 1, offset + 4 + length <= bytes.count else { break }
            messages.append(try SyncMessage(type: bytes[offset + 4], body: bytes[(offset + 5)..<(offset + 4 + length)]))
            offset += 4 + length
        }
        return messages
    }

    deinit { channel.close(promise: nil) }
}

extension SyncMessage {
    var errorCode: ProtocolError.Code? {
        if case .error(let code, _) = self { return code }
        return nil
    }
}

/// Collects every byte a connection receives, and says when it closed.
final class ByteCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let lock = NSLock()
    private var received: [UInt8] = []
    let closed: EventLoopPromise<Void> = MultiThreadedEventLoopGroup.singleton.next().makePromise()

    var bytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        lock.lock()
        received += buffer.readableBytesView
        lock.unlock()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { closed.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed.succeed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A TLS server with a key of its own that answers each connection's first bytes with
/// `reply(its replica id)`, then closes: for playing a misbehaving peer.
final class FakeServer: @unchecked Sendable {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>
    let key = ReplicaKey()
    var replicaID: ReplicaID { key.replicaID }
    let listener: NIOAsyncChannel<Connection, Never>
    let task: Task<Void, Error>
    var port: Int { listener.channel.localAddress?.port ?? 0 }

    init(reply: @escaping @Sendable (ReplicaID) -> [UInt8]) async throws {
        let context = try SyncTLS.serverContext(try TLSIdentity(key: key.signingKey))
        listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(TLSPeer().serverHandlers(context))
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let (listener, answer) = (self.listener, reply(key.replicaID))
        task = Task.onItsOwnThread {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask {
                            try? await connection.executeThenClose { inbound, outbound in
                                var reader = inbound.makeAsyncIterator()
                                guard try await reader.next() != nil else { return }
                                try await outbound.write(ByteBuffer(bytes: answer))
                            }
                        }
                    }
                }
            }
        }
    }

    func stop() async {
        try? await listener.channel.close()
        _ = await task.result
    }
}

/// The HELLO heads an honest peer at `clock` sends, as far as `store` holds the same changes:
/// the store's own chain hashes and signatures, and an unsigned zero head for the rest.
func heads(_ store: GlossStore, for clock: VersionVector) throws -> [SignedHead] {
    let held = try store.clock()
    return try clock.sortedEntries.map { replica, seq in
        seq <= held[replica] ? try store.signedHeads(at: VersionVector([replica: seq]))[0] : .unsigned
    }
}
