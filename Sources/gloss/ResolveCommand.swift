import ArgumentParser
import GlossCore
import GlossStore

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflict: pick a value, write a new one, merge the texts, or keep a deleted annotation.",
        discussion: """
            gloss resolve ID FIELD --pick N     the Nth value as 'gloss conflicts' lists it (from 1)
            gloss resolve ID FIELD --value TEXT a new value replacing them all
            gloss resolve ID FIELD --merge      a word-level 3-way merge against the common ancestor;
                                                fails, showing the values, when the edits overlap
            gloss resolve ID --keep             keep an annotation deleted on one replica and edited
                                                on another ('gloss delete ID' settles it the other way;
                                                'gloss resolve ID deleted --pick N' picks by number)
            An article's revision and an annotation's anchor (where it was placed by hand) are \
            settled with --pick only.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The annotation or article id (or a unique prefix).") var id: String
    @Argument(help: "The field in conflict: note, color, title, source, archived, revision or anchor.") var field: String?
    @Option(help: "Pick the Nth value, as 'gloss conflicts' numbers them.") var pick: Int?
    @Option(help: "Replace the values with this one.") var value: String?
    @Flag(help: "Merge the texts against their common ancestor.") var merge = false
    @Flag(help: "Keep an annotation that was deleted on one replica and edited on another.") var keep = false

    /// Called at the start of `run()`, not as `validate()`: argument-parser runs validate()
    /// before it reports an unknown option, so a misspelt `--pik 2` was answered with "give
    /// exactly one of" instead of "Unknown option '--pik'".
    func checkUsage() throws {
        let modes = [pick != nil, value != nil, merge, keep].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --pick N, --value TEXT, --merge or --keep") }
        if keep && field != nil && field != Conflict.deletedField {
            throw ValidationError("--keep takes no field (or the field 'deleted')")
        }
        if !keep && field == nil { throw ValidationError("say which field to resolve: \(Self.fieldNames)") }
    }

    func run() async throws {
        try checkUsage()
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        let intent = ResolveIntent(target: target.id, subject: try subject(), choice: choice)
        // Decided inside the write transaction, so --pick N names the value `gloss conflicts`
        // numbered N in the same state, and no sibling can arrive unseen in between.
        do {
            try store.perform(intent, time: currentTime())
        } catch let error as IntentError {
            throw explain(error, target.id)
        }
        print(keep ? "Kept annotation \(target.id.hex)." : "Resolved \(field!) of \(target.id.hex).")
    }

    /// The core's refusal, with the options that get past it in this command's own words.
    private func explain(_ error: IntentError, _ target: EntityID) -> CLIError {
        switch error.code {
        case .cannotMerge where structured, .contradictory where structured: CLIError(error.message + " (--pick N)")
        case .cannotMerge: CLIError(error.message + "; choose with --pick N or --value TEXT")
        case .noSuchValue: CLIError("--" + error.message)
        case .notInConflict where field == Field.revision.rawValue: CLIError(error.message + "; change it with 'gloss revise'")
        case .notInConflict where field == Field.anchor.rawValue: CLIError(error.message + "; place it with 'gloss reanchor'")
        case .notInConflict where !keep && field != Conflict.deletedField: CLIError(error.message + "; change it with 'gloss edit'")
        case .contradictory where keep || field == Conflict.deletedField:
            CLIError("settle a delete-vs-edit conflict with --keep, --pick N, or 'gloss delete \(target.hex)'")
        default: CLIError(error.message)
        }
    }

    /// Every field a conflict can be in, for messages.
    static let fieldNames = Field.allCases.map(\.rawValue).joined(separator: ", ") + " (or deleted)"

    /// The field settled only by picking (`Field.isStructured`).
    private var structured: Bool { field.flatMap(Field.init(rawValue:))?.isStructured == true }

    private var choice: ResolveIntent.Choice {
        if let pick { return .pick(pick) }
        if let value { return .value(value) }
        return merge ? .merge : .keep
    }

    private func subject() throws -> ResolveIntent.Subject {
        if keep || field == Conflict.deletedField { return .presence }
        guard let field = Field(rawValue: field!) else {
            throw CLIError("unknown field '\(self.field!)': fields are \(Self.fieldNames)")
        }
        return .field(field)
    }
}
