import ArgumentParser
import GlossCore
import GlossStore

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle a conflict: pick a value, write a new one, merge the texts, or keep a deleted annotation.",
        discussion: """
            gloss resolve ID FIELD --pick N     the Nth value as 'gloss conflicts' lists it (from 1)
            gloss resolve ID FIELD --value TEXT a new value replacing them all
            gloss resolve ID FIELD --merge      a word-level 3-way merge against the common ancestor;
                                                fails, showing the values, when the edits overlap
            gloss resolve ID --keep             keep an annotation deleted on one replica and edited
                                                on another ('gloss delete ID' settles it the other way;
                                                'gloss resolve ID deleted --pick N' picks by number)
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The annotation or article id (or a unique prefix).") var id: String
    @Argument(help: "The field in conflict: note, color, title or source.") var field: String?
    @Option(help: "Pick the Nth value, as 'gloss conflicts' numbers them.") var pick: Int?
    @Option(help: "Replace the values with this one.") var value: String?
    @Flag(help: "Merge the texts against their common ancestor.") var merge = false
    @Flag(help: "Keep an annotation that was deleted on one replica and edited on another.") var keep = false

    func validate() throws {
        let modes = [pick != nil, value != nil, merge, keep].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --pick N, --value TEXT, --merge or --keep") }
        if keep && field != nil && field != Conflict.deletedField {
            throw ValidationError("--keep takes no field (or the field 'deleted')")
        }
        if !keep && field == nil { throw ValidationError("say which field to resolve: note, color, title or source") }
    }

    func run() async throws {
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        // Decided inside the write transaction, so --pick N names the value `gloss conflicts`
        // numbered N in the same state, and no sibling can arrive unseen in between.
        try reportingErrors {
            try store.update(time: currentTime()) { edit in
                let state = try edit.state(of: [target.id])
                if keep || field == Conflict.deletedField { return [try presenceOperation(target, state)] }
                return [try fieldOperation(target, state, history: { try edit.history(of: target.id) })]
            }
        }
        print(keep ? "Kept annotation \(target.id.hex)." : "Resolved \(field!) of \(target.id.hex).")
    }

    /// Settles a delete-vs-edit conflict: --keep, or --pick N of the "deleted"/"edited" marks
    /// as `gloss conflicts` numbers them.
    private func presenceOperation(_ target: (id: EntityID, kind: EntityKind), _ state: ReplicaState) throws -> Operation {
        guard target.kind == .annotation, let annotation = state.annotations[target.id] else {
            throw CLIError("\(target.id.hex) is an article; only annotations can be deleted and kept")
        }
        guard annotation.presence.isInConflict else {
            throw CLIError("annotation \(target.id.hex) is not in a delete-vs-edit conflict")
        }
        if keep { return .keepAnnotation(id: target.id) }
        guard let pick, value == nil, !merge else {
            throw CLIError("settle a delete-vs-edit conflict with --keep, --pick N, or 'gloss delete \(target.id.hex)'")
        }
        let marks = annotation.presence.entries
        guard (1...marks.count).contains(pick) else { throw CLIError("--pick \(pick): there are \(marks.count) values, numbered from 1") }
        return marks[pick - 1].mark == .deleted ? .deleteAnnotation(id: target.id) : .keepAnnotation(id: target.id)
    }

    private func fieldOperation(
        _ target: (id: EntityID, kind: EntityKind), _ state: ReplicaState, history: () throws -> [Change]
    ) throws -> Operation {
        guard let field = Field(rawValue: self.field!) else {
            throw CLIError("unknown field '\(Terminal.singleLine(self.field!))': fields are note, color, title, source (and deleted)")
        }
        guard field.entityKind == target.kind else {
            throw CLIError(
                "\(field.rawValue) is a field of \(field.entityKind.rawValue)s, and \(target.id.hex) is an \(target.kind.rawValue)")
        }
        if target.kind == .annotation, state.annotations[target.id]?.presence.isAlive != true {
            throw CLIError("annotation \(target.id.hex) is deleted")
        }
        let register =
            (target.kind == .article ? state.articles[target.id]?.registers[field] : state.annotations[target.id]?.registers[field])
            ?? MultiValueRegister()
        guard register.isInConflict else {
            throw CLIError("the \(field.rawValue) of \(target.id.hex) is not in conflict; change it with 'gloss edit'")
        }
        let values = register.values
        if let pick {
            guard (1...values.count).contains(pick) else {
                throw CLIError("--pick \(pick): there are \(values.count) values, numbered from 1")
            }
            return .set(entity: target.id, field: field, value: values[pick - 1].value)
        }
        if let value { return .set(entity: target.id, field: field, value: value) }
        let shown = values.enumerated().map { "[\($0.offset + 1)] \"\(Terminal.singleLine($0.element.value))\"" }.joined(separator: " ")
        guard let base = ThreeWayMerge.commonAncestor(of: field, of: target.id, siblings: values.map(\.dot), history: try history()) else {
            throw CLIError(
                "cannot merge the \(field.rawValue) of \(target.id.hex): the values have more than one common ancestor. Values: \(shown); choose with --pick N or --value TEXT"
            )
        }
        var merged = values[0].value
        for sibling in values.dropFirst() {
            guard case .merged(let text) = ThreeWayMerge.merge(base: base, ours: merged, theirs: sibling.value) else {
                throw CLIError(
                    "cannot merge the \(field.rawValue) of \(target.id.hex): the edits overlap. Values: \(shown); choose with --pick N or --value TEXT"
                )
            }
            merged = text
        }
        return .set(entity: target.id, field: field, value: merged)
    }
}
