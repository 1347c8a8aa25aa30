import Foundation
import Testing

/// The trust step as people take it, with real `gloss serve`, `clone`, `sync`, `pending`,
/// `trust`, `revoke`, `ignore` and `devices` processes over TLS on 127.0.0.1.
@Suite struct TrustCommandTests {
    /// A desk store with an article, served; and the path a field clone will use.
    struct Hub {
        let sandbox: Sandbox
        let desk: String
        let field: String
        let server: RunningProcess
        let address: String
        let deskDevice: String

        static func make() async throws -> Hub {
            let sandbox = try Sandbox()
            let desk = sandbox.path("desk.sqlite")
            try await sandbox.initStore(desk, name: "desk")
            _ = try await sandbox.importArticle(try sandbox.copySample(), store: desk)
            let (server, address) = try await sandbox.serve(desk)
            return Hub(
                sandbox: sandbox, desk: desk, field: sandbox.path("field.sqlite"), server: server, address: address,
                deskDevice: try await sandbox.deviceID(of: desk))
        }

        /// The field as a replica cloned from a bundle of the desk: it holds the store, but no
        /// device trusts the other yet.
        func cloneFieldByBundle() async throws {
            try await sandbox.ok("bundle", "create", "start.bundle", store: desk)
            try await sandbox.ok("clone", "start.bundle", "--name", "field", store: field)
        }

        func stop() async -> CommandResult {
            server.kill()
            return await server.finish()
        }
    }

    @Test func aCloneIsRefusedUntilTheHubTrustsItThenKeepsItsDeviceId() async throws {
        let hub = try await Hub.make()
        let sandbox = hub.sandbox
        let refused = try await sandbox.run(["clone", hub.address, "--store", hub.field, "--name", "field", "--expect", hub.deskDevice])
        expectCleanFailure(refused, mentioning: ["does not trust this new replica yet", "gloss trust "])
        #expect(!sandbox.exists("field.sqlite"), "nothing of the store was made")
        let told = try #require(refused.stderr.firstMatch(of: /gloss trust ([A-Z2-7-]{31})/).map { String($0.1) })

        let pending = try jsonArray(try await sandbox.ok("pending", "--json", store: hub.desk))
        #expect(pending.count == 1)
        #expect(string(pending[0], "device") == told && string(pending[0], "name") == "field")
        #expect(pending[0]["attempts"] as? Int == 1)

        try await sandbox.ok("trust", told, "--role", "read-write", store: hub.desk)
        #expect(try jsonArray(try await sandbox.ok("pending", "--json", store: hub.desk)).isEmpty)
        let clone = try await sandbox.run(["clone", hub.address, "--store", hub.field, "--name", "field", "--expect", hub.deskDevice])
        #expect(clone.succeeded, "\(clone)")
        #expect(try await sandbox.deviceID(of: hub.field) == told, "the retry presented the device id the hub trusted")
        #expect(!sandbox.exists(".field.sqlite.clone-key"), "the kept key is gone once the store holds it")

        let onField = try jsonArray(try await sandbox.ok("devices", "--json", store: hub.field))
        #expect(onField.map { string($0, "device") } == [hub.deskDevice])
        #expect(onField.first.flatMap { string($0, "role") } == "read-write")
        // The clone remembers its server: a plain 'gloss sync' goes there (issue 11).
        #expect(try await sandbox.ok("remote", store: hub.field).stdoutLines == [hub.address])
        let article = try #require(
            try jsonArray(try await sandbox.ok("articles", "--json", store: hub.field)).first.flatMap { string($0, "id") })
        try await sandbox.ok("annotate", article, "--quote", "three generals", "--note", "from the field", store: hub.field)
        let synced = try await sandbox.ok("sync", "--json", store: hub.field)
        #expect(try jsonObject(synced)["sent"] as? Int == 1, "\(synced)")
        #expect(try await sandbox.ok("remote", "--unset", store: hub.field).stdoutLines == ["No default server now."])
        expectCleanFailure(try await sandbox.gloss("sync", store: hub.field), mentioning: ["name the server", "gloss remote HOST:PORT"])
        let set = try await sandbox.ok("remote", hub.address, "--json", store: hub.field)
        #expect(try jsonObject(set)["remote"] as? String == hub.address, "\(set)")
        #expect(try jsonObject(try await sandbox.ok("remote", "--json", store: hub.field))["remote"] as? String == hub.address)
        let log = await hub.stop()
        #expect(log.stdout.contains("refused unknown device \(told)"), "\(log)")
        #expect(log.stdout.contains("gloss trust \(told) --role read-write"))
    }

    @Test func aNetworkCloneNeedsTheServersDeviceId() async throws {
        let hub = try await Hub.make()
        let result = try await hub.sandbox.run(["clone", hub.address, "--store", hub.field])
        expectCleanFailure(result, mentioning: ["is device \(hub.deskDevice)", "--expect \(hub.deskDevice)"])
        #expect(!hub.sandbox.exists("field.sqlite"))
        #expect(try jsonArray(try await hub.sandbox.ok("pending", "--json", store: hub.desk)).isEmpty, "the client showed nothing")
        _ = await hub.stop()
    }

    /// A server with another key behind the address the replica syncs with: refused, with a
    /// warning naming the key found, and nothing sent or written.
    @Test func aChangedServerKeyIsRefusedWithAWarning() async throws {
        let hub = try await Hub.make()
        let sandbox = hub.sandbox
        try await hub.cloneFieldByBundle()
        try await sandbox.ok("trust", hub.deskDevice, "--role", "read-write", store: hub.field)
        _ = await hub.stop()
        // Another store (another key) now answers where the desk was reached.
        let impostor = sandbox.path("impostor.sqlite")
        try await sandbox.initStore(impostor, name: "desk")
        let (server, address) = try await sandbox.serve(impostor)
        defer { server.kill() }
        let before = try await sandbox.snapshot(hub.field)
        let sync = try await sandbox.run(["sync", address, "--store", hub.field])
        let impostorDevice = try await sandbox.deviceID(of: impostor)
        expectCleanFailure(sync, mentioning: ["WARNING", impostorDevice, "nothing was sent"])
        // The replica's data is untouched; only the failure is kept, for 'gloss peers'.
        let after = try await sandbox.snapshot(hub.field)
        #expect(after.digest == before.digest && after.clock == before.clock)
        let peers = try await sandbox.ok("peers", store: hub.field)
        #expect(peers.stdout.contains("last error") && peers.stdout.contains(impostorDevice), "\(peers)")
        #expect(try jsonArray(try await sandbox.ok("pending", "--json", store: impostor)).isEmpty, "the client showed nothing")
    }

    @Test func aReadOnlyDevicePullsAndIsToldItSentNothing() async throws {
        let hub = try await Hub.make()
        let sandbox = hub.sandbox
        try await hub.cloneFieldByBundle()
        try await sandbox.ok("trust", try await sandbox.deviceID(of: hub.field), "--role", "read-only", store: hub.desk)
        let articles = try jsonArray(try await sandbox.ok("articles", "--json", store: hub.field))
        let article = try #require(articles.first.flatMap { string($0, "id") })
        _ = try await sandbox.annotate(article, quote: "three generals", ["--note", "from the field"], store: hub.field)
        let before = try await sandbox.status(hub.desk)
        let sync = try await sandbox.run(["sync", hub.address, "--expect", hub.deskDevice, "--store", hub.field])
        #expect(sync.succeeded, "\(sync)")
        #expect(sync.stderr.contains("read-only"), "\(sync)")
        #expect(sync.stdoutLines.first?.contains("sent 0") == true, "\(sync)")
        #expect(try await sandbox.status(hub.desk)["clock"] as? [String: Int] == before["clock"] as? [String: Int])
        _ = await hub.stop()
    }

    @Test func revokeAndIgnoreRefuseADeviceAndIgnoreKeepsItOffThePendingList() async throws {
        let hub = try await Hub.make()
        let sandbox = hub.sandbox
        try await hub.cloneFieldByBundle()
        try await sandbox.introduce(client: hub.field, to: hub.desk)
        let field = try await sandbox.deviceID(of: hub.field)
        try await sandbox.ok("sync", hub.address, "--expect", hub.deskDevice, store: hub.field)
        // A prefix selects a listed device.
        let replica = try #require(string(try jsonObject(try await sandbox.ok("id", "--json", store: hub.field)), "replica"))
        try await sandbox.ok("revoke", String(replica.prefix(6)), store: hub.desk)
        let refused = try await sandbox.run(["sync", hub.address, "--store", hub.field])
        expectCleanFailure(refused, mentioning: ["does not trust this device (\(field))", "gloss trust \(field)"])
        try await sandbox.ok("ignore", field, store: hub.desk)
        _ = try await sandbox.run(["sync", hub.address, "--store", hub.field])
        #expect(try jsonArray(try await sandbox.ok("pending", "--json", store: hub.desk)).isEmpty)
        let devices = try jsonArray(try await sandbox.ok("devices", "--json", store: hub.desk))
        #expect(devices.map { string($0, "role") } == ["ignored"])
        #expect(Set(devices[0].keys) == ["device", "replica", "name", "role", "last_seen", "address", "forked_at"])
        _ = await hub.stop()
    }

    /// A device trusted read-only may pull from this replica; it is not a server this replica
    /// takes changes from, at any address. And --expect never overrides a refusal.
    @Test func aReadOnlyOrRevokedDeviceIsNotSyncedWithAsAServer() async throws {
        let hub = try await Hub.make()
        let sandbox = hub.sandbox
        try await hub.cloneFieldByBundle()
        try await sandbox.introduce(client: hub.field, to: hub.desk)
        try await sandbox.ok("trust", hub.deskDevice, "--role", "read-only", store: hub.field)
        let before = try await sandbox.snapshot(hub.field)
        expectCleanFailure(
            try await sandbox.run(["sync", hub.address, "--store", hub.field]), mentioning: [hub.deskDevice, "which is read-only here"])
        expectCleanFailure(
            try await sandbox.run(["sync", hub.address, "--expect", hub.deskDevice, "--store", hub.field]),
            mentioning: ["is read-only here"])
        try await sandbox.ok("revoke", hub.deskDevice, store: hub.field)
        expectCleanFailure(
            try await sandbox.run(["sync", hub.address, "--expect", hub.deskDevice, "--store", hub.field]),
            mentioning: ["is revoked here"])
        #expect(try await sandbox.snapshot(hub.field).clock == before.clock)
        _ = await hub.stop()
    }

    /// A key file someone else could have written is never adopted as the clone's key.
    @Test func aCloneRefusesAKeyFileOthersCouldHaveWritten() async throws {
        let hub = try await Hub.make()
        let sandbox = hub.sandbox
        let planted = try sandbox.write(".field.sqlite.clone-key", String(repeating: "k", count: 32))
        #expect(chmod(planted, 0o644) == 0)
        let clone = try await sandbox.run(["clone", hub.address, "--store", hub.field, "--expect", hub.deskDevice])
        expectCleanFailure(clone, mentioning: ["mode 600", "remove it"])
        #expect(!sandbox.exists("field.sqlite"))
        #expect(try jsonArray(try await sandbox.ok("pending", "--json", store: hub.desk)).isEmpty, "nothing was presented")
        _ = await hub.stop()
    }

    @Test(arguments: [
        (["trust", "ABCDEFG", "--role", "read-write"], "no device on the allowlist starts with"),
        (["trust", "thdpchq!", "--role", "read-write"], "is not a device id"),
        (["trust", "1234abcd", "--role", "read-write"], "no device on the allowlist starts with"),
        (["revoke", "THDPCHQ-K46HFTW-US27BTM-DWEFJ4A"], "check characters do not match"),
        (["trust", "THDPCHQ-K46HFTW-US27BTM-DWEFJ4E", "--role", "admin"], "read-write"),
    ])
    func badDeviceArgumentsFailInOneLineAndChangeNothing(arguments: [String], message: String) async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let before = try await sandbox.snapshot()
        expectCleanFailure(try await sandbox.run(arguments + ["--store", sandbox.store]), mentioning: [message])
        #expect(try await sandbox.snapshot() == before)
    }
}
