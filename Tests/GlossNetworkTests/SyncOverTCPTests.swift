import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore
import GlossTestSupport
import Testing

/// Real sessions over loopback TCP between real stores.
@Suite(.onItsOwnThread) struct SyncOverTCPTests {
    func sync(_ store: GlossStore, with server: TestServer) async throws -> SyncSession.Outcome {
        let report = try await server.sync(SyncReplica(store: store))
        let outcome = try #require(report.outcome, "sync failed: \(report.error?.description ?? "?")")
        #expect(!outcome.diverged)
        return outcome
    }

    @Test func aCloneThenEditsOnBothSidesConverge() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 21)
        let desk = try makeStore(at: folder.file("desk.sqlite"), name: "desk")
        try editRandomly(desk, count: 30, using: &random)
        let server = try await TestServer(store: desk)

        let clone = SyncReplica(cloningTo: folder.file("field.sqlite"), name: "field")
        let report = try await server.sync(clone)
        let field = try #require(clone.createdStore, "clone failed: \(report.error?.description ?? "?")")
        #expect(report.outcome?.receivedChanges == 30)
        #expect(field.identity.storeID == desk.identity.storeID)
        #expect(try field.digest().digest == (try desk.digest().digest))

        try editRandomly(desk, count: 10, using: &random)
        try editRandomly(field, count: 10, using: &random)
        let outcome = try await sync(field, with: server)
        #expect(outcome.sentChanges == 10 && outcome.receivedChanges == 10)
        #expect(try field.digest() == (try desk.digest()))
        #expect(try field.peers().first?.name == "desk")
        #expect(try desk.peers().first?.name == "field")
        await server.stop()
        #expect(server.log.all.count == 2)
    }

    @Test func threeReplicasInAChainAndAStarConverge() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 22)
        let a = try makeStore(at: folder.file("a.sqlite"), name: "a")
        try editRandomly(a, count: 5, using: &random)
        let b = try makeStore(at: folder.file("b.sqlite"), storeID: a.identity.storeID, name: "b")
        let c = try makeStore(at: folder.file("c.sqlite"), storeID: a.identity.storeID, name: "c")
        let serverA = try await TestServer(store: a)
        let serverB = try await TestServer(store: b)
        // Chain: c -> b -> a, with edits everywhere.
        for round in 0..<3 {
            for store in [a, b, c] { try editRandomly(store, count: 4 + round, using: &random) }
            _ = try await sync(c, with: serverB)
            _ = try await sync(b, with: serverA)
            _ = try await sync(c, with: serverB)
        }
        #expect(try a.digest() == (try b.digest()))
        #expect(try b.digest() == (try c.digest()))
        // Star: b and c both talk to a.
        for store in [a, b, c] { try editRandomly(store, count: 6, using: &random) }
        _ = try await sync(b, with: serverA)
        _ = try await sync(c, with: serverA)
        _ = try await sync(b, with: serverA)
        let digests = try [a, b, c].map { try $0.digest() }
        #expect(Set(digests.map(\.digest)).count == 1)
        #expect(digests[0].clock == digests[2].clock)
        await serverA.stop()
        await serverB.stop()
    }

    @Test func aSessionAlreadyInSyncIsOneRoundTrip() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 23)
        let desk = try makeStore(at: folder.file("desk.sqlite"), name: "desk")
        try editRandomly(desk, count: 8, using: &random)
        let server = try await TestServer(store: desk)
        let (clock, digest) = try desk.digest()
        let hello = SyncMessage.hello(
            .init(
                storeID: desk.identity.storeID, replicaID: RawConnection.replicaID, name: "raw", clock: clock, digest: digest,
                heads: try heads(desk, for: clock)))
        let peer = try await RawConnection(port: server.port, sending: SyncProtocol.magic + hello.framed())
        let replies = try await peer.messagesUntilClose()
        #expect(replies.count == 1)
        guard case .hello(let hello) = replies.first else {
            Issue.record("expected HELLO, got \(replies)")
            return
        }
        #expect(hello.clock == clock && hello.digest == digest)
        await server.stop()
    }

    @Test func editsWhileServingNeverSeeALockedDatabase() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 24)
        let path = folder.file("desk.sqlite")
        let desk = try makeStore(at: path, name: "desk")
        try editRandomly(desk, count: 5, using: &random)
        let server = try await TestServer(store: desk)
        let field = try makeStore(at: folder.file("field.sqlite"), storeID: desk.identity.storeID, name: "field")
        // A second connection to the served file, as a CLI process would open it.
        let editor = try GlossStore.open(at: path)
        let edits = Task.onItsOwnThread {
            var random = SplitMix64(seed: 99)
            try editRandomly(editor, count: 40, using: &random)
        }
        for _ in 0..<6 {
            try editRandomly(field, count: 5, using: &random)
            _ = try await sync(field, with: server)
        }
        try await edits.value
        _ = try await sync(field, with: server)
        #expect(try field.digest() == (try desk.digest()))
        await server.stop()
    }

    @Test func sixtyFourTLSSessionsAtOnce() async throws {
        let folder = try TemporaryFolder()
        var random = SplitMix64(seed: 25)
        let desk = try makeStore(at: folder.file("desk.sqlite"), name: "desk")
        try editRandomly(desk, count: 20, using: &random)
        let server = try await TestServer(store: desk)
        var clients: [GlossStore] = []
        for index in 0..<64 {
            let client = try makeStore(at: folder.file("c\(index).sqlite"), storeID: desk.identity.storeID, name: "c\(index)")
            try editRandomly(client, count: 2, using: &random)
            try server.trust(client.identity.replicaID)
            clients.append(client)
        }
        let (endpoint, deskID) = (server.endpoint, desk.identity.replicaID)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for client in clients {
                group.addTask {
                    let report = try? await SyncClient.sync(
                        SyncReplica(store: client), with: endpoint, trusting: [deskID], limits: testLimits())
                    return report?.outcome != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 64)
        #expect(try desk.clock().total == 20 + 128)
        await server.stop()
    }
}
