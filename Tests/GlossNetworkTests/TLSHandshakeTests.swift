import Crypto
import Foundation
import GlossCore
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import GlossNetwork

/// The TLS layer of protocol version 3 on its own (SPEC §11.2): Ed25519 mutual TLS 1.3 with
/// in-memory certificates, where each side learns the replica id the other proved, and a client
/// completes a handshake only with a server it trusts.
@Suite(.onItsOwnThread) struct TLSHandshakeTests {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// A TLS server on 127.0.0.1 that answers each client's first bytes with the replica id the
    /// client proved ("proven <hex>"), then closes.
    final class ProvingServer: @unchecked Sendable {
        let listener: NIOAsyncChannel<(Connection, TLSPeer), Never>
        let task: Task<Void, Error>
        let replicaID: ReplicaID
        var port: Int { listener.channel.localAddress?.port ?? 0 }

        init() async throws {
            let key = Curve25519.Signing.PrivateKey()
            replicaID = ID128.derived(fromPublicKey: Array(key.publicKey.rawRepresentation))
            let context = try SyncTLS.serverContext(try TLSIdentity(key: key))
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let peer = TLSPeer()
                        try channel.pipeline.syncOperations.addHandlers(peer.serverHandlers(context))
                        return (try Connection(wrappingChannelSynchronously: channel), peer)
                    }
                }
            let listener = self.listener
            task = Task.onItsOwnThread {
                try await withThrowingDiscardingTaskGroup { group in
                    try await listener.executeThenClose { connections in
                        for try await (connection, peer) in connections {
                            group.addTask {
                                try? await connection.executeThenClose { inbound, outbound in
                                    var reader = inbound.makeAsyncIterator()
                                    guard try await reader.next() != nil else { return }
                                    try await outbound.write(ByteBuffer(string: "proven \(peer.replicaID?.hex ?? "none")"))
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

    /// Connects with `context`, says hello, and returns what the server answered (or the error).
    static func exchange(port: Int, context: NIOSSLContext, trusting trusted: Set<ReplicaID>, peer: TLSPeer) async -> Result<String, Error>
    {
        do {
            let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(try peer.clientHandlers(context, trusting: trusted))
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
            return .success(
                try await connection.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: "hello"))
                    var answer = ""
                    for try await buffer in inbound { answer += String(buffer: buffer) }
                    return answer
                })
        } catch {
            return .failure(error)
        }
    }

    static func client() throws -> (ReplicaID, NIOSSLContext) {
        let key = Curve25519.Signing.PrivateKey()
        return (ID128.derived(fromPublicKey: Array(key.publicKey.rawRepresentation)), try SyncTLS.clientContext(try TLSIdentity(key: key)))
    }

    @Test func bothSidesLearnTheReplicaIdTheOtherProved() async throws {
        let server = try await ProvingServer()
        let (clientID, context) = try Self.client()
        let peer = TLSPeer()
        let answer = await Self.exchange(port: server.port, context: context, trusting: [server.replicaID], peer: peer)
        await server.stop()
        #expect(try answer.get() == "proven \(clientID.hex)")
        #expect(peer.replicaID == server.replicaID)
    }

    /// A client that does not trust the server's key stops in the handshake: it sends nothing,
    /// not even its certificate, and keeps the id it found for the warning.
    @Test func aClientRefusesAServerItDoesNotTrust() async throws {
        let server = try await ProvingServer()
        let (_, context) = try Self.client()
        let peer = TLSPeer()
        let answer = await Self.exchange(port: server.port, context: context, trusting: [ID128(high: 1, low: 2)], peer: peer)
        await server.stop()
        #expect(throws: (any Error).self) { try answer.get() }
        #expect(peer.presentedReplicaID == server.replicaID, "the id found is kept for the warning")
        #expect(peer.replicaID == nil, "but it was never proven")
    }

    @Test func aTLS12OnlyClientGetsNothing() async throws {
        let server = try await ProvingServer()
        let key = Curve25519.Signing.PrivateKey()
        var configuration = SyncTLS.configuration(.makeClientConfiguration(), identity: try TLSIdentity(key: key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv12
        let answer = await Self.exchange(
            port: server.port, context: try NIOSSLContext(configuration: configuration), trusting: [server.replicaID], peer: TLSPeer())
        await server.stop()
        #expect(throws: (any Error).self) { try answer.get() }
    }

    /// A version 1 client speaks plaintext: it gets a TLS alert and a close, never an answer.
    @Test func aPlaintextClientGetsOnlyATLSAlert() async throws {
        let server = try await ProvingServer()
        let received = PlainSocket.exchange(port: server.port, sending: Array("GLOSSYNC".utf8) + [0, 0, 0, 1, 4])
        await server.stop()
        #expect(!received.isEmpty && received.count < 64, "\(received)")
        #expect(received.first == 0x15, "a TLS alert record")
        #expect(!String(decoding: received, as: UTF8.self).contains("proven"))
    }
}
