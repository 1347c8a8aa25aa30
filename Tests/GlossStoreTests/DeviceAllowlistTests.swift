import Foundation
import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// The allowlist a server consults before it says anything (SPEC §11.2): roles, the pending list
/// of unknown devices, and the replica key that is the TLS identity.
@Suite struct DeviceAllowlistTests {
    let laptop = TestKeys.replicaID(11)
    let stranger = ID128(high: 0x33, low: 0x44)
    let day: UInt64 = 24 * 3600 * 1000

    /// A clone's server is on the allowlist from the store's first moment: made in one step,
    /// a store killed mid-clone never exists without it.
    @Test func aStoreCreatedTrustingAServerHasItReadWriteFromTheStart() throws {
        let folder = try TemporaryFolder()
        let server = ReplicaKey().replicaID
        let store = try GlossStore.create(at: folder.file("clone.sqlite"), name: "clone", trusting: (server, 42))
        #expect(try store.role(of: server) == .readWrite)
        #expect(try store.devices().map(\.replicaID) == [server])
        let plain = try GlossStore.create(at: folder.file("plain.sqlite"), name: "plain")
        #expect(try plain.devices().isEmpty)
    }

    @Test func rolesAreSetChangedAndListed() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("hub.sqlite"), name: "hub")
        #expect(try store.role(of: laptop) == nil)
        try store.setRole(.readOnly, of: laptop, name: "laptop", time: 1000)
        #expect(try store.role(of: laptop) == .readOnly)
        try store.setRole(.revoked, of: laptop, time: 2000)
        let devices = try store.devices()
        #expect(devices.count == 1)
        #expect(devices.first?.name == "laptop", "a role change keeps the name")
        #expect(devices.first?.role == .revoked && devices.first?.changed == 2000)
        #expect(DeviceRole.revoked.maySync == false && DeviceRole.readOnly.maySync)
    }

    @Test func pendingAttemptsAreCountedThenClearedByTrust() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("hub.sqlite"), name: "hub")
        #expect(try store.recordPendingAttempt(stranger, name: "field", address: "10.0.0.9:5000", time: 10 * day) == 1)
        #expect(try store.recordPendingAttempt(stranger, name: "field", address: "10.0.0.9:5001", time: 11 * day) == 2)
        let pending = try #require(try store.pendingDevices(now: 11 * day).first)
        #expect(pending.replicaID == stranger && pending.attempts == 2 && pending.firstAttempt == 10 * day)
        #expect(pending.address == "10.0.0.9:5001")
        try store.setRole(.readWrite, of: stranger, time: 12 * day)
        #expect(try store.pendingDevices(now: 12 * day).isEmpty)
        #expect(try store.devices().first?.name == "field", "the name it gave comes along")
    }

    @Test func thePendingListIsBoundedAndExpires() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("hub.sqlite"), name: "hub")
        for number in 0..<UInt64(GlossStore.pendingLimit + 20) {
            try store.recordPendingAttempt(ID128(high: 7, low: number), name: "n\(number)", address: "a", time: 100 * day + number)
        }
        let listed = try store.pendingDevices(now: 100 * day + 200)
        #expect(listed.count == GlossStore.pendingLimit)
        #expect(listed.first?.name == "n\(GlossStore.pendingLimit + 19)", "most recent first; the oldest went")
        #expect(try store.pendingDevices(now: 100 * day + GlossStore.pendingLifetime + 1_000).isEmpty, "entries expire")
    }

    /// A batch from a device is applied only while that device is read-write, checked inside the
    /// batch's transaction.
    @Test func changesFromADeviceNeedItToBeReadWrite() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("hub.sqlite"), name: "hub")
        let body = "An article from the laptop."
        let change = Change(
            id: Dot(replica: laptop, seq: 1), dependencies: VersionVector(), time: 1,
            operations: [.createArticle(id: ArticleText.id(of: body), body: body)])
        let signed = TestKeys.sign([change], store: store.identity.storeID)
        #expect(throws: GlossStoreError.self) { try store.apply(signed, from: laptop) }
        try store.setRole(.readOnly, of: laptop, time: 1)
        do {
            try store.apply(signed, from: laptop)
            Issue.record("a read-only device's change was applied")
        } catch {
            #expect(error.code == .notPermitted)
        }
        try store.setRole(.revoked, of: laptop, time: 2)
        do {
            try store.apply(signed, from: laptop)
            Issue.record("a revoked device's change was applied")
        } catch {
            #expect(error.code == .notTrusted)
        }
        #expect(try store.clock().total == 0)
        try store.setRole(.readWrite, of: laptop, time: 3)
        #expect(try store.apply(signed, from: laptop).applied == 1)
    }

    @Test func theReplicaKeyHashesToTheReplicaId() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("hub.sqlite"), name: "hub")
        let key = try store.replicaKey()
        #expect(ID128.derived(fromPublicKey: Array(key.signingKey.publicKey.rawRepresentation)) == store.identity.replicaID)
    }
}
