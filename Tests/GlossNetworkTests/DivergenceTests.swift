import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore
import GlossTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Equal version vectors with different digests mean the merge went wrong somewhere: both sides
/// must say so, never carry on quietly.
@Suite struct DivergenceTests {
    @Test func theServerReportsAPeerWithTheSameChangesButAnotherState() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 41)
        let desk = try makeStore(at: folder.file("desk.sqlite"), name: "desk")
        try editRandomly(desk, count: 5, using: &random)
        let server = try await TestServer(store: desk)
        let (clock, digest) = try desk.digest()
        let peer = try RawConnection(port: server.port)
        let wrong = digest.map { $0 ^ 0xFF }
        peer.send(
            SyncProtocol.magic
                + SyncMessage.hello(
                    .init(
                        storeID: desk.identity.storeID, replicaID: ID128(high: 3, low: 3),
                        name: "odd", clock: clock, digest: wrong)
                ).framed())
        _ = try await peer.messagesUntilClose()
        await server.stop()
        #expect(server.log.all.contains { $0.contains("DIVERGED") }, "\(server.log.all)")
    }

    @Test func theClientReportsAServerWithTheSameChangesButAnotherState() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 42)
        let field = try makeStore(at: folder.file("field.sqlite"), name: "field")
        try editRandomly(field, count: 5, using: &random)
        let (clock, digest) = try field.digest()
        // A fake server on a port of its own that answers any HELLO with the same clock and another digest.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(listener, $0, length)
                _ = getsockname(listener, $0, &length)
            }
        }
        listen(listener, 1)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let reply =
            SyncProtocol.magic
            + SyncMessage.hello(
                .init(
                    storeID: field.identity.storeID, replicaID: ID128(high: 4, low: 4),
                    name: "odd", clock: clock, digest: digest.map { $0 ^ 1 })
            ).framed()
        let thread = Thread {
            let connection = accept(listener, nil, nil)
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = recv(connection, &buffer, buffer.count, 0)
            _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
            close(listener)
        }
        thread.start()
        let report = try await SyncClient.sync(
            SyncReplica(store: field), with: SyncEndpoint(host: "127.0.0.1", port: port), limits: testLimits())
        #expect(report.outcome?.diverged == true)
    }
}
