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
@Suite(.onItsOwnThread) struct DivergenceTests {
    @Test func theServerReportsAPeerWithTheSameChangesButAnotherState() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 41)
        let desk = try makeStore(at: folder.file("desk.sqlite"), name: "desk")
        try editRandomly(desk, count: 5, using: &random)
        let server = try await TestServer(store: desk)
        let (clock, digest) = try desk.digest()
        let wrong = digest.map { $0 ^ 0xFF }
        let hello = SyncMessage.hello(
            .init(
                storeID: desk.identity.storeID, replicaID: RawConnection.replicaID,
                name: "odd", clock: clock, digest: wrong, heads: try heads(desk, for: clock)))
        let peer = try await RawConnection(port: server.port, sending: SyncProtocol.magic + hello.framed())
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
        // A fake server, with a key of its own, that answers any HELLO with the same clock and
        // another digest.
        let fieldHeads = try heads(field, for: clock)
        let fake = try await FakeServer { replica in
            SyncProtocol.magic
                + SyncMessage.hello(
                    .init(
                        storeID: field.identity.storeID, replicaID: replica, name: "odd", clock: clock, digest: digest.map { $0 ^ 1 },
                        heads: fieldHeads)
                ).framed()
        }
        let report = try await SyncClient.sync(
            SyncReplica(store: field), with: SyncEndpoint(host: "127.0.0.1", port: fake.port), trusting: [fake.replicaID],
            limits: testLimits())
        await fake.stop()
        #expect(report.outcome?.diverged == true)
    }
}
