import GlossCore
import GlossProtocol
import Testing

/// Bugs found while testing the sync code, fixed, and kept as regression tests.
@Suite("Sync regressions")
struct SyncKnownIssueTests {
    typealias F = SyncFixtures

    @Test("a cloning client refuses a server HELLO that names the all-zero store")
    func cloningClientJoinsZeroStore() {
        var client = SyncSession(
            role: .client,
            local: SyncSession.Local(
                storeID: SyncMessage.anyStore, replicaID: F.alice, name: "laptop", clock: VersionVector(), digest: F.digestA))
        _ = client.begin()
        let actions = client.receive(.hello(F.hello(store: SyncMessage.anyStore, replica: F.bob, clock: [F.bob: 1])))
        #expect(!actions.contains(.joinStore(SyncMessage.anyStore)), "\(actions)")
        #expect(client.isFinished)
        #expect(actions.contains { if case .fail(let error, false) = $0 { error.code == .storeMismatch } else { false } })
    }

    @Test("a peer claiming this replica's own id is refused")
    func peerClaimingOurReplicaID() {
        var server = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "desk", clock: VersionVector(), digest: F.digestA))
        _ = server.begin()
        let actions = server.receive(.hello(F.hello(store: F.store, replica: F.alice, clock: [F.alice: 1])))
        #expect(server.isFinished)
        #expect(actions.contains { if case .send(.error(.unexpectedMessage, _)) = $0 { true } else { false } }, "\(actions)")
    }

    @Test("a second SUMMARY from the peer is refused, not taken")
    func secondSummary() {
        var client = SyncSession(
            role: .client,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "laptop", clock: [F.alice: 1], digest: F.digestA))
        _ = client.begin()
        _ = client.receive(.hello(F.hello(store: F.store, replica: F.bob, clock: [F.bob: 1])))
        _ = client.send(batch: [], isLast: true)
        _ = client.receive(.end)
        let summary = SyncMessage.summary(clock: [F.alice: 1, F.bob: 1], digest: F.digestB)
        _ = client.receive(summary)
        let second = client.receive(summary)
        #expect(second.contains { if case .fail = $0 { true } else { false } }, "\(second)")
    }
}
