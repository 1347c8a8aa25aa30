import Foundation
import Testing

/// Issue 7's scenario, as two people would meet it: the desk removes `verify` from an annotation
/// while the field correspondent, offline, adds `verify` (already there) and `numbers`. After
/// they exchange, by bundle files or over TCP, both keep `verify`: the explicit add wins over
/// the remove that had not seen it.
@Suite struct TagAddWinsTests {
    static let expectedTags = ["numbers", "verify"]

    /// Both replicas hold the annotation tagged `verify`; then each edits it apart.
    func editApart() async throws -> TwoReplicas {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--remove-tag", "verify", store: replicas.desk)
        let added = try await sandbox.ok(
            "edit", replicas.annotation, "--add-tag", "verify", "--add-tag", "numbers", store: replicas.field)
        #expect(added.stdoutLines == ["Edited annotation \(replicas.annotation)."], "\(added)")
        return replicas
    }

    func tags(_ replicas: TwoReplicas, on store: String) async throws -> [String]? {
        try await replicas.annotationJSON(on: store)?["tags"] as? [String]
    }

    @Test func anExplicitAddSurvivesAConcurrentRemoveThroughBundles() async throws {
        let replicas = try await editApart()
        try await replicas.exchange()
        #expect(try await tags(replicas, on: replicas.desk) == Self.expectedTags)
        #expect(try await tags(replicas, on: replicas.field) == Self.expectedTags)
        try await replicas.expectConverged()
    }

    @Test func anExplicitAddSurvivesAConcurrentRemoveOverTCP() async throws {
        let replicas = try await editApart()
        let sandbox = replicas.sandbox
        let desk = try await sandbox.introduce(client: replicas.field, to: replicas.desk)
        let (server, address) = try await sandbox.serve(replicas.desk)
        defer { server.kill() }
        let sync = try await sandbox.ok("sync", address, "--expect", desk, "--json", store: replicas.field)
        let report = try jsonObject(sync)
        #expect(report["sent"] as? Int == 1 && report["received"] as? Int == 1, "\(sync)")
        server.kill()
        _ = await server.finish()
        #expect(try await tags(replicas, on: replicas.desk) == Self.expectedTags)
        #expect(try await tags(replicas, on: replicas.field) == Self.expectedTags)
        try await replicas.expectConverged()
    }
}
