import Foundation
import Testing

/// Two replicas of one store, as two people would have them: the desk runs `init`, imports the
/// sample article and annotates it; the field clones the desk's store from a bundle file.
///
///     let replicas = try await TwoReplicas.make(note: "base")
///     try await replicas.sandbox.ok("edit", replicas.annotation, "--note", "a", store: replicas.desk)
///     try await replicas.exchange()
struct TwoReplicas {
    let sandbox: Sandbox
    let desk: String
    let field: String
    let article: String
    /// An annotation both replicas hold, with `note`, color yellow and tag `verify`.
    let annotation: String

    static func make(note: String = "HUR is the only source for the date") async throws -> TwoReplicas {
        let sandbox = try Sandbox()
        let desk = sandbox.path("desk.sqlite")
        let field = sandbox.path("field.sqlite")
        try await sandbox.initStore(desk, name: "desk")
        let article = try await sandbox.importArticle(try sandbox.copySample(), ["--tag", "ukraine"], store: desk)
        let annotation = try await sandbox.annotate(
            article, quote: "Kursk Oblast",
            ["--occurrence", "2", "--note", note, "--color", "yellow", "--tag", "verify"], store: desk)
        try await sandbox.ok("bundle", "create", "to-field.bundle", store: desk)
        let clone = try await sandbox.run(["clone", "to-field.bundle", "--store", field, "--name", "field"])
        try #require(clone.succeeded && clone.stdoutLines.count == 1 && isID(clone.stdoutLines[0]), "\(clone)")
        return TwoReplicas(sandbox: sandbox, desk: desk, field: field, article: article, annotation: annotation)
    }

    /// Each writes a full bundle, then each applies the other's: afterwards both hold everything.
    /// Returns the two `bundle apply` outputs (to the field, to the desk).
    @discardableResult
    func exchange() async throws -> (toField: CommandResult, toDesk: CommandResult) {
        try await sandbox.ok("bundle", "create", "to-field.bundle", store: desk)
        try await sandbox.ok("bundle", "create", "to-desk.bundle", store: field)
        let toField = try await sandbox.ok("bundle", "apply", "to-field.bundle", store: field)
        let toDesk = try await sandbox.ok("bundle", "apply", "to-desk.bundle", store: desk)
        return (toField, toDesk)
    }

    /// Both replicas' `status --json`, after checking they hold the same state.
    func expectConverged(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deskStatus = try await sandbox.status(desk)
        let fieldStatus = try await sandbox.status(field)
        #expect(string(deskStatus, "digest") == string(fieldStatus, "digest"), "digests differ", sourceLocation: sourceLocation)
        #expect(deskStatus["clock"] as? [String: Int] == fieldStatus["clock"] as? [String: Int], sourceLocation: sourceLocation)
        #expect(deskStatus["conflicts"] as? Int == fieldStatus["conflicts"] as? Int, sourceLocation: sourceLocation)
        #expect(deskStatus["annotations"] as? Int == fieldStatus["annotations"] as? Int, sourceLocation: sourceLocation)
        for command in [["annotations", "--json"], ["conflicts", "--json"], ["articles", "--json"]] {
            let onDesk = try await sandbox.run(command + ["--store", desk])
            let onField = try await sandbox.run(command + ["--store", field])
            #expect(onDesk.succeeded && onDesk.stdout == onField.stdout, "\(onDesk)\n\(onField)", sourceLocation: sourceLocation)
        }
    }

    /// The shared annotation as `annotations --json` shows it on `store`, or nil when not listed.
    func annotationJSON(on store: String) async throws -> [String: Any]? {
        try jsonArray(try await sandbox.ok("annotations", "--json", store: store)).first { string($0, "id") == annotation }
    }
}
