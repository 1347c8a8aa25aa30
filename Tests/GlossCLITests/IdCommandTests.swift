import GlossCore
import Testing

/// `gloss id`: the device id a person reads aloud, and the replica id it encodes.
@Suite struct IdCommandTests {
    @Test func showsTheDeviceIdOfThisReplica() async throws {
        let sandbox = try Sandbox()
        let replica = try await sandbox.initStore(name: "laptop")
        let json = try jsonObject(try await sandbox.ok("id", "--json"))
        #expect(Set(json.keys) == ["device", "replica", "name"])
        #expect(string(json, "replica") == replica)
        #expect(string(json, "name") == "laptop")
        let device = try #require(string(json, "device"))
        #expect(DeviceID(parsing: device)?.replicaID.hex == replica)
        #expect(device.wholeMatch(of: /[A-Z2-7]{7}(-[A-Z2-7]{7}){3}/) != nil, "\(device)")

        let text = try await sandbox.ok("id")
        #expect(text.stdoutLines == ["device  \(device)", "replica \(replica)", "name    laptop"], "\(text)")
    }

    @Test func withoutAStoreItSaysSo() async throws {
        let sandbox = try Sandbox()
        expectCleanFailure(try await sandbox.gloss("id"), mentioning: ["no store at"])
    }
}
