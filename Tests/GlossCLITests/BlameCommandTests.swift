import Foundation
import Testing

/// `gloss blame`: each field's live values, who wrote them and what they replaced (issue 10).
@Suite struct BlameCommandTests {
    @Test func blameNamesTheWritersOfAConflictAndWhatTheResolutionReplaced() async throws {
        let replicas = try await TwoReplicas.make(note: "base")
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", "desk says", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "field says", store: replicas.field)
        try await replicas.exchange()
        let desk = try #require(try jsonObject(try await sandbox.ok("id", "--json", store: replicas.desk))["replica"] as? String)
        let field = try #require(try jsonObject(try await sandbox.ok("id", "--json", store: replicas.field))["replica"] as? String)

        let conflicted = try jsonObject(try await sandbox.ok("blame", replicas.annotation, "--json", store: replicas.field))
        let fields = try #require(conflicted["fields"] as? [[String: Any]])
        let note = try #require(fields.first { $0["field"] as? String == "note" }?["values"] as? [[String: Any]])
        let writers = Dictionary(uniqueKeysWithValues: note.map { ($0["value"] as? String ?? "", $0) })
        #expect(Set(writers.keys) == ["desk says", "field says"])
        #expect(writers["desk says"]?["replica"] as? String == desk && writers["field says"]?["replica"] as? String == field)
        for value in note { #expect((value["replaced"] as? [[String: Any]])?.map { $0["value"] as? String } == ["base"]) }
        let color = try #require(fields.first { $0["field"] as? String == "color" }?["values"] as? [[String: Any]])
        #expect(color.first?["value"] as? String == "yellow" && (color.first?["replaced"] as? [Any])?.isEmpty == true)
        #expect((conflicted["tags"] as? [[String: Any]])?.first?["tag"] as? String == "verify")

        try await sandbox.ok("resolve", replicas.annotation, "note", "--value", "both checked", store: replicas.field)
        let text = try await sandbox.ok("blame", replicas.annotation, store: replicas.field)
        #expect(text.stdout.contains("\"both checked\" by field"), "\(text)")
        #expect(text.stdout.contains("replaced \"") && text.stdout.contains("desk says") && text.stdout.contains("field says"))
        #expect(!text.stdout.contains("[conflict"))
        expectCleanFailure(try await sandbox.gloss("blame", "ffff", store: replicas.field), mentioning: ["ffff"])
    }
}
