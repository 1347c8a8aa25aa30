import Foundation
import GlossCore
import GlossProtocol
import GlossStore
import GlossTestSupport
import NIOSSL
import Testing

@testable import GlossNetwork

#if canImport(Glibc)
    import Glibc
#endif

/// Who may sync, decided by the server's allowlist before it says anything of its store, and by
/// the client's pins before it sends anything (SPEC §11.2, §11.13).
@Suite(.onItsOwnThread) struct TrustOverTLSTests {
    /// A server with some history; `RawConnection.key` is trusted (TestServer does that).
    static func server(in folder: TemporaryFolder) async throws -> TestServer {
        var random = SplitMix64(seed: 61)
        let store = try makeStore(at: folder.file("hub.sqlite"), name: "hub")
        try editRandomly(store, count: 6, using: &random)
        return try await TestServer(store: store)
    }

    static func hello(_ store: GlossStore, as replica: ReplicaID, name: String = "raw") -> [UInt8] {
        SyncProtocol.magic
            + SyncMessage.hello(
                .init(
                    storeID: store.identity.storeID, replicaID: replica, name: name, clock: VersionVector(),
                    digest: StateDigest.of(ReplicaState()))
            ).framed()
    }

    @Test func anUnknownDeviceGetsNotTrustedAndNothingElseAndIsListedAsPending() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        let stranger = ReplicaKey()
        let peer = try await RawConnection(
            port: server.port, key: stranger, sending: Self.hello(server.store, as: stranger.replicaID, name: "field laptop"))
        let bytes = await peer.readToEnd()
        await server.stop()
        let messages = try RawConnection.messages(in: bytes)
        #expect(messages.count == 1, "\(messages)")
        guard case .error(let code, let text) = messages.first else { return }
        #expect(code == .notTrusted)
        #expect(text.contains("gloss trust \(DeviceID(stranger.replicaID)) --role read-write"))
        // Nothing of the store: no store id, no clock, no name in what was sent.
        let storeID = server.store.identity.storeID.bytes
        #expect(!bytes.indices.contains { bytes[$0...].starts(with: storeID) })
        #expect(!String(decoding: bytes, as: UTF8.self).contains("hub"))
        let pending = try server.store.pendingDevices(now: DeviceGate.now())
        #expect(pending.map(\.replicaID) == [stranger.replicaID])
        #expect(pending.first?.name == "field laptop")
        #expect(server.log.all.contains { $0.contains("refused unknown device \(DeviceID(stranger.replicaID))") }, "\(server.log.all)")
    }

    @Test func onceTrustedTheSameDeviceSyncs() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        let key = ReplicaKey()
        let clone = SyncReplica(cloningTo: folder.file("field.sqlite"), name: "field", key: key, server: server.store.identity.replicaID)
        let refused = try await SyncClient.sync(
            clone, with: server.endpoint, trusting: [server.store.identity.replicaID], limits: testLimits())
        #expect(refused.error?.code == .notTrusted && refused.peerReportedError)
        #expect(clone.createdStore == nil, "nothing was made from a refused session")
        try server.trust(key.replicaID)
        let retry = SyncReplica(cloningTo: folder.file("field.sqlite"), name: "field", key: key, server: server.store.identity.replicaID)
        let report = try await SyncClient.sync(
            retry, with: server.endpoint, trusting: [server.store.identity.replicaID], limits: testLimits())
        await server.stop()
        #expect(report.outcome != nil, "\(String(describing: report.error))")
        let created = try #require(retry.createdStore)
        #expect(try created.digest() == server.store.digest())
        #expect(try server.store.pendingDevices(now: DeviceGate.now()).isEmpty)
        #expect(try created.role(of: server.store.identity.replicaID) == .readWrite)
    }

    @Test func aHelloNamingAnotherReplicaThanTheProvenKeyIsRefused() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        let other = ReplicaKey()
        try server.trust(other.replicaID)
        // Proves RawConnection.key, and names `other` in its HELLO.
        let peer = try await RawConnection(port: server.port, sending: Self.hello(server.store, as: other.replicaID))
        let messages = try await peer.messagesUntilClose()
        await server.stop()
        #expect(messages.compactMap(\.errorCode) == [.identityMismatch], "\(messages)")
    }

    @Test func aReadOnlyDevicePullsAndSendsNothing() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        let before = try server.store.digest()
        var random = SplitMix64(seed: 62)
        let field = try makeStore(at: folder.file("field.sqlite"), storeID: server.store.identity.storeID, name: "field")
        try editRandomly(field, count: 3, using: &random)
        try server.trust(field.identity.replicaID, role: .readOnly)
        let report = try await SyncClient.sync(
            SyncReplica(store: field), with: server.endpoint, trusting: [server.store.identity.replicaID], limits: testLimits())
        #expect(report.outcome != nil && report.pullOnly, "\(String(describing: report.error))")
        #expect(report.outcome?.sentChanges == 0)
        #expect(try field.clock().dominates(before.clock), "it pulled everything")
        #expect(try server.store.digest() == before, "nothing of it was applied")
        await server.stop()
    }

    @Test func changesFromAReadOnlyDeviceAreRefusedWhole() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        try server.trust(RawConnection.replicaID, role: .readOnly)
        let before = try server.store.digest()
        let body = "Pushed by a read-only device."
        let change = Change(
            id: Dot(replica: RawConnection.replicaID, seq: 1), dependencies: VersionVector(), time: 1,
            operations: [.createArticle(id: ArticleText.id(of: body), body: body)])
        // Up to three tries: on a loaded machine the TLS handshake can outlast the test's short
        // handshake deadline, and the server then answers `timeout` (applying nothing either).
        var messages: [SyncMessage] = []
        for _ in 0..<3 {
            let peer = try await RawConnection(
                port: server.port,
                sending: Self.hello(server.store, as: RawConnection.replicaID)
                    + SyncMessage.changes(batch: 1, RawConnection.sign([change], for: server.store)).framed())
            messages = try await peer.messagesUntilClose()
            if messages.compactMap(\.errorCode) != [.timeout] { break }
        }
        await server.stop()
        #expect(messages.compactMap(\.errorCode) == [.notPermitted], "\(messages)")
        #expect(try server.store.digest() == before)
    }

    /// A revoke takes effect in a session already open: the next batch is refused.
    @Test func aDeviceRevokedMidSessionIsCutOffAtItsNextBatch() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        let before = try server.store.digest()
        let peer = try await RawConnection(port: server.port, sending: Self.hello(server.store, as: RawConnection.replicaID))
        // Wait for the server's HELLO: the session is open.
        for _ in 0..<200 where !(try RawConnection.messages(in: peer.bytesSoFar).contains { $0.kind == .hello }) {
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(try RawConnection.messages(in: peer.bytesSoFar).contains { $0.kind == .hello })
        try server.store.setRole(.revoked, of: RawConnection.replicaID, time: 1)
        let body = "Sent after the revoke."
        let change = Change(
            id: Dot(replica: RawConnection.replicaID, seq: 1), dependencies: VersionVector(), time: 1,
            operations: [.createArticle(id: ArticleText.id(of: body), body: body)])
        peer.send(SyncMessage.changes(batch: 1, RawConnection.sign([change], for: server.store)).framed())
        let messages = try await peer.messagesUntilClose()
        await server.stop()
        #expect(messages.compactMap(\.errorCode) == [.notTrusted], "\(messages)")
        #expect(try server.store.digest() == before)
    }

    @Test func aClientRefusesAServerWithAnotherKeyAndSendsNothing() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        let field = try makeStore(at: folder.file("field.sqlite"), storeID: server.store.identity.storeID, name: "field")
        let pinned = ReplicaKey().replicaID  // what the client expects: not this server's key
        await #expect {
            _ = try await SyncClient.sync(SyncReplica(store: field), with: server.endpoint, trusting: [pinned], limits: testLimits())
        } throws: { error in
            guard case SyncClientError.untrustedServer(let found, _) = error else { return false }
            return found == server.store.identity.replicaID
        }
        await server.stop()
        #expect(try server.store.pendingDevices(now: DeviceGate.now()).isEmpty, "the client never showed its certificate")
        #expect(try field.clock().total == 0)
    }

    /// A man in the middle with a key of its own: the client refuses it as a server, and the
    /// real server refuses it as a client.
    @Test func aManInTheMiddleIsRefusedByBothSides() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        let field = try makeStore(at: folder.file("field.sqlite"), storeID: server.store.identity.storeID, name: "field")
        try server.trust(field.identity.replicaID)
        let middle = try await FakeServer { _ in [] }
        await #expect(throws: SyncClientError.self) {
            _ = try await SyncClient.sync(
                SyncReplica(store: field), with: SyncEndpoint(host: "127.0.0.1", port: middle.port),
                trusting: [server.store.identity.replicaID], limits: testLimits())
        }
        await middle.stop()
        // Onward, the middle can only present its own key, or a stolen id it cannot prove.
        let onward = try await RawConnection(port: server.port, key: middle.key, sending: Self.hello(server.store, as: middle.replicaID))
        #expect(try await onward.messagesUntilClose().compactMap(\.errorCode) == [.notTrusted])
        let posing = try await RawConnection(
            port: server.port, key: middle.key, sending: Self.hello(server.store, as: field.identity.replicaID))
        #expect(try await posing.messagesUntilClose().compactMap(\.errorCode) == [.identityMismatch])
        await server.stop()
    }

    /// A TLS client that negotiates another application protocol than gloss/2 is closed before
    /// it learns anything.
    @Test func anotherApplicationProtocolGetsNothing() async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        var configuration = SyncTLS.configuration(.makeClientConfiguration(), identity: try TLSIdentity(key: RawConnection.key.signingKey))
        configuration.applicationProtocols = ["http/1.1"]
        let peer = try await RawConnection(
            port: server.port, context: try NIOSSLContext(configuration: configuration),
            sending: Self.hello(server.store, as: RawConnection.replicaID))
        let bytes = await peer.readToEnd()
        await server.stop()
        #expect(!bytes.starts(with: SyncProtocol.magic), "\(bytes)")
    }

    /// What a version 1 client, a browser or a scanner sends gets a TLS alert at most: never the
    /// magic, never a byte of the store. The server keeps serving.
    @Test(arguments: ["plaintext HELLO", "HTTP", "random bytes"])
    func nonTLSClientsGetNothing(kind: String) async throws {
        let folder = try TemporaryFolder()
        let server = try await Self.server(in: folder)
        var random = SplitMix64(seed: 63)
        let bytes: [UInt8]
        switch kind {
        case "plaintext HELLO": bytes = Self.hello(server.store, as: RawConnection.replicaID)
        case "HTTP": bytes = Array("GET / HTTP/1.1\r\nHost: localhost:7456\r\n\r\n".utf8)
        default: bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        let received = PlainSocket.exchange(port: server.port, sending: bytes)
        #expect(received.count < 64, "\(received)")
        #expect(!received.starts(with: SyncProtocol.magic))
        let storeID = server.store.identity.storeID.bytes
        #expect(!received.indices.contains { received[$0...].starts(with: storeID) })
        // Still serving.
        let peer = try await RawConnection(port: server.port, sending: Self.hello(server.store, as: RawConnection.replicaID))
        #expect(try await peer.messagesUntilClose().contains { $0.kind == .hello })
        await server.stop()
    }
}

/// A plain TCP socket: what a client without TLS sends and receives.
enum PlainSocket {
    static func exchange(port: Int, sending bytes: [UInt8]) -> [UInt8] {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return [] }
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<100 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return received
    }
}
