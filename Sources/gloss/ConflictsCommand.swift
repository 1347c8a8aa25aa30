import ArgumentParser
import Foundation
import GlossCore

struct Conflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
        let conflicts = try reportingErrors { try store.state(of: store.conflictedEntities()) }.conflicts
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
                )
            }
        }
        try exitIfAsked(conflicts)
    }

    /// Like 'git diff --exit-code': after the listing as usual, exit 1 if it was not empty.
    /// (Only once everything is printed: an error on the way exits with its own line and code.)
    private func exitIfAsked(_ conflicts: [Conflict]) throws {
        if exitCode && !conflicts.isEmpty { throw ExitCode(1) }
    }
}
