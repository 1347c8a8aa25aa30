import ArgumentParser
import Foundation
import GlossCore

struct Conflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List every field with concurrent values: the values, who wrote each, and when.",
        discussion: "Settle one with 'gloss resolve ID FIELD --pick N' (N as numbered here), --value or --merge."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .customLong("exit-code"), help: "Exit with 1 when there are conflicts (for scripts), 0 when there are none.")
    var exitCode = false

    struct Listed: Encodable {
        struct Value: Encodable {
            let value: String
            let replica: String
            let seq: UInt64
            let time: String
        }

        let id: String
        let kind: String
        let field: String
        let values: [Value]
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        // Only the entities in conflict are loaded, found by query.
        var state = try reportingErrors { try store.state(of: store.conflictedEntities()) }
        // A placed anchor is read in its article's text.
        let articles = Set(state.annotations.values.filter { $0.registers[.anchor]?.isInConflict == true }.map(\.article))
        if !articles.isEmpty { state.articles.merge(try reportingErrors { try store.state(of: articles) }.articles) { $1 } }
        let conflicts = state.conflicts
        if output.json {
            try printJSON(
                conflicts.map { conflict in
                    Listed(
                        id: conflict.entity.hex, kind: conflict.kind.rawValue, field: conflict.field,
                        values: conflict.values.map {
                            Listed.Value(value: $0.value, replica: $0.dot.replica.hex, seq: $0.dot.seq, time: formatTime($0.time))
                        })
                })
            return try exitIfAsked(conflicts)
        }
        if conflicts.isEmpty { return Terminal.note("No conflicts.") }
        let naming = ReplicaNaming(names: try reportingErrors { try store.replicaNames() }, own: store.identity.replicaID)
        for conflict in conflicts {
            let what =
                conflict.field == Conflict.deletedField
                ? "deleted on one replica, edited on another (settle with 'gloss resolve ID --keep' or 'gloss delete ID')" : conflict.field
            print("\(conflict.kind.rawValue) \(conflict.entity.hex): \(what)")
            for (number, value) in conflict.values.enumerated() {
                print(
                    "  [\(number + 1)] \"\(Terminal.singleLine(value.value))\"  by \(naming.name(value.dot.replica)) at \(formatTime(value.time))"
                        + Self.gloss(value.value, of: conflict, in: state)
                )
            }
        }
        try exitIfAsked(conflicts)
    }

    /// What a structured value stands for: a revision's number and note, a placed anchor's quote.
    static func gloss(_ value: String, of conflict: Conflict, in state: ReplicaState) -> String {
        switch conflict.field {
        case Field.revision.rawValue:
            guard let article = state.articles[conflict.entity], let revision = ID128(hex: value),
                let number = article.revisionHistory.firstIndex(of: revision)
            else { return "" }
            let note = article.revisions[revision]?.note ?? "the text as imported"
            return "\n      revision \(number + 1)" + (note.isEmpty ? "" : ": " + Terminal.excerpt(note, limit: 100))
        case Field.anchor.rawValue:
            guard let annotation = state.annotations[conflict.entity], let article = state.articles[annotation.article],
                let anchor = PlacedAnchor(value)?.anchor(on: article),
                let number = article.revisionHistory.firstIndex(of: anchor.revision ?? article.id)
            else { return "" }
            return "\n      \"\(Terminal.excerpt(anchor.exact, limit: 100))\" in revision \(number + 1)"
        default:
            return ""
        }
    }

    /// Like 'git diff --exit-code': after the listing as usual, exit 1 if it was not empty.
    /// (Only once everything is printed: an error on the way exits with its own line and code.)
    private func exitIfAsked(_ conflicts: [Conflict]) throws {
        if exitCode && !conflicts.isEmpty { throw ExitCode(1) }
    }
}
