import Foundation
import Testing

/// Every `--json` output has exactly the keys README.md's "JSON for scripts" table lists (and
/// only `snake_case` ones): the table is the contract scripts rely on (issue 11).
@Suite struct JSONContractTests {
    struct Contract {
        let command: String
        let isArray: Bool
        let required: Set<String>
        let optional: Set<String>
    }

    /// The rows of the table between the json-contract markers.
    static func contracts() throws -> [Contract] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = try #require(text.range(of: "<!-- json-contract:start -->"))
        let end = try #require(text.range(of: "<!-- json-contract:end -->"))
        return text[start.upperBound..<end.lowerBound].split(separator: "\n").dropFirst(2).map { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let keys = cells[2]
            let (required, optional) = keys.firstIndex(of: "[").map { (keys[..<$0], keys[$0...]) } ?? (keys[...], ""[...])
            func names(_ text: Substring) -> Set<String> {
                // `a`, `b`: the pieces between backticks that hold a letter are the names.
                Set(text.split(separator: "`").filter { $0.contains { $0.isLetter } }.map(String.init))
            }
            return Contract(command: cells[0], isArray: cells[1] == "array", required: names(required), optional: names(optional))
        }
    }

    @Test func everyCommandsJSONHasTheDocumentedKeys() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        let (server, address) = try await sandbox.serve(replicas.desk)
        defer { server.kill() }
        let deskDevice = try await sandbox.deviceID(of: replicas.desk)
        let fieldDevice = try await sandbox.deviceID(of: replicas.field)
        try await sandbox.ok("trust", fieldDevice, "--role", "read-write", store: replicas.desk)
        // A conflict, a third replica the desk does not trust yet, a bundle.
        try await sandbox.ok("edit", replicas.annotation, "--note", "desk", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "field", store: replicas.field)
        try await sandbox.ok("sync", address, "--expect", deskDevice, store: replicas.field)
        try await sandbox.ok("remote", address, store: replicas.field)
        let stranger = sandbox.path("stranger.sqlite")
        try await sandbox.ok("bundle", "create", "all.bundle", store: replicas.desk)
        try await sandbox.ok("clone", "all.bundle", store: stranger)
        _ = try await sandbox.gloss("sync", address, "--expect", deskDevice, "--timeout", "0", store: stranger)
        _ = try sandbox.write("other.txt", "Another article, for import.")
        _ = try sandbox.write("revised.txt", "A revised text.")
        try await sandbox.ok("export", "--format", "w3c", "--out", "all.jsonld", store: replicas.desk)

        let runs: [String: [String]] = [
            "init": ["init", "--store", sandbox.path("new.sqlite")],
            "import FILE": ["import", "other.txt", "--store", replicas.desk],
            "import-annotations FILE": ["import-annotations", "all.jsonld", "--store", replicas.field],
            "articles": ["articles", "--store", replicas.desk],
            "show ARTICLE": ["show", replicas.article, "--store", replicas.desk],
            "annotations": ["annotations", "--store", replicas.desk],
            "revise ARTICLE FILE": ["revise", replicas.article, "revised.txt", "--store", replicas.field],
            "revisions ARTICLE": ["revisions", replicas.article, "--store", replicas.desk],
            "search WORDS": ["search", "generals", "--store", replicas.desk],
            "log": ["log", "--store", replicas.desk],
            "blame ID": ["blame", replicas.annotation, "--store", replicas.desk],
            "status": ["status", "--store", replicas.desk],
            "conflicts": ["conflicts", "--store", replicas.desk],
            "verify": ["verify", "--store", replicas.desk],
            "bundle apply FILE": ["bundle", "apply", "all.bundle", "--store", replicas.field],
            "clone BUNDLE": ["clone", "all.bundle", "--store", sandbox.path("copy.sqlite")],
            "sync, clone HOST:PORT": ["sync", "--store", replicas.field],
            "remote": ["remote", "--store", replicas.field],
            "id": ["id", "--store", replicas.desk],
            "devices": ["devices", "--store", replicas.desk],
            "pending": ["pending", "--store", replicas.desk],
            "peers": ["peers", "--store", replicas.field],
        ]
        let contracts = try Self.contracts()
        #expect(Set(contracts.map { $0.command.replacingOccurrences(of: "`", with: "") }) == Set(runs.keys), "every row is run")
        for contract in contracts {
            let name = contract.command.replacingOccurrences(of: "`", with: "")
            guard let arguments = runs[name] else { continue }
            let result = try await sandbox.run(arguments + ["--json"])
            try #require(result.succeeded, "\(name): \(result)")
            let value = try JSONSerialization.jsonObject(with: Data(result.stdoutBytes))
            let objects = contract.isArray ? (value as? [[String: Any]]) : (value as? [String: Any]).map { [$0] }
            let checked = try #require(objects, "\(name) prints \(contract.isArray ? "an array of objects" : "an object")")
            #expect(!checked.isEmpty, "\(name): an example to check")
            for object in checked {
                let keys = Set(object.keys)
                #expect(
                    contract.required.isSubset(of: keys) && keys.isSubset(of: contract.required.union(contract.optional)),
                    "\(name): \(keys.sorted()) against \(contract.required.sorted()) + [\(contract.optional.sorted())]")
                #expect(keys.allSatisfy { $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } }, "\(name): snake_case")
            }
        }
    }
}
