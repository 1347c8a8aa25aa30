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
        let server = try sandbox.start(["serve", "--store", replicas.desk, "--listen", "127.0.0.1:0"])
        defer { server.kill() }
        let address = try await Self.listeningAddress(of: server)
        let sync = try await sandbox.ok("sync", address, "--json", store: replicas.field)
        let report = try jsonObject(sync)
        #expect(report["sent"] as? Int == 1 && report["received"] as? Int == 1, "\(sync)")
        server.kill()
        _ = await server.finish()
        #expect(try await tags(replicas, on: replicas.desk) == Self.expectedTags)
        #expect(try await tags(replicas, on: replicas.field) == Self.expectedTags)
        try await replicas.expectConverged()
    }

    /// The HOST:PORT from `gloss serve`'s first line ("listening on HOST:PORT for store ..."),
    /// waiting up to ten seconds for it.
    static func listeningAddress(of server: RunningProcess) async throws -> String {
        for _ in 0..<200 {
            let words = server.stdoutSoFar.split(separator: "\n").first?.split(separator: " ") ?? []
            if words.count > 2, words[0] == "listening" { return String(words[2]) }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("gloss serve printed no address: \(server.stdoutSoFar)")
        throw CancellationError()
    }
}
