import ArgumentParser
import GlossCore
import GlossStore

struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit an annotation (note, color, tags) or an article (title, source, tags).",
        discussion: "A write replaces every value of the field this replica holds, conflicting ones included."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The annotation or article id (or a unique prefix).") var id: String
    @Option(help: "The annotation's new note.") var note: String?
    @Option(help: "The annotation's new color.") var color: String?
    @Option(help: "The article's new title.") var title: String?
    @Option(help: "The article's new source.") var source: String?
    @Option(name: .customLong("add-tag"), help: "A tag to add (repeatable).") var addTags: [String] = []
    @Option(name: .customLong("remove-tag"), help: "A tag to remove (repeatable).") var removeTags: [String] = []

    func validate() throws {
        if [note, color, title, source].allSatisfy({ $0 == nil }) && addTags.isEmpty && removeTags.isEmpty {
            throw ValidationError("say what to change: --note, --color, --title, --source, --add-tag or --remove-tag")
        }
        if (addTags + removeTags).contains(where: { $0.allSatisfy(\.isWhitespace) }) {
            throw ValidationError("tags need some text in them")
        }
        if let both = Set(addTags.map(ExactText.init)).intersection(removeTags.map(ExactText.init)).first?.string {
            throw ValidationError("tag '\(Terminal.singleLine(both))' is both added and removed")
        }
    }

    func run() async throws {
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        let change = try reportingErrors {
            try store.update(time: currentTime()) { edit in try operations(for: target, in: edit.state(of: [target.id])) }
        }
        guard change != nil else {
            print("Nothing to change: \(target.id.hex) already looks like that.")
            return
        }
        print("Edited \(target.kind.rawValue) \(target.id.hex).")
    }

    /// The operations of this edit, decided from the state it supersedes.
    private func operations(for target: (id: EntityID, kind: EntityKind), in state: ReplicaState) throws -> [Operation] {
        let fields: [(Field, String?)] = [(.note, note), (.color, color), (.title, title), (.source, source)]
        let registers: [Field: MultiValueRegister]
        let tags: AddWinsSet
        switch target.kind {
        case .article:
            let article = state.articles[target.id]!
            (registers, tags) = (article.registers, article.tags)
        case .annotation:
            let annotation = state.annotations[target.id]!
            guard annotation.presence.isAlive else { throw CLIError("annotation \(target.id.hex) is deleted") }
            (registers, tags) = (annotation.registers, annotation.tags)
        }
        var operations: [Operation] = []
        for (field, value) in fields {
            guard let value else { continue }
            guard field.entityKind == target.kind else {
                throw CLIError(
                    "--\(field.rawValue) applies to \(field.entityKind.rawValue)s, and \(target.id.hex) is an \(target.kind.rawValue)")
            }
            let register = registers[field]
            if register?.winner?.value.isByteEqual(to: value) == true && register?.isInConflict != true { continue }
            operations.append(.set(entity: target.id, field: field, value: value))
        }
        for tag in Set(addTags.map(ExactText.init)).sorted().map(\.string) where !tags.contains(tag) {
            operations.append(.addTag(entity: target.id, tag: tag))
        }
        for tag in Set(removeTags.map(ExactText.init)).sorted().map(\.string) {
            guard tags.contains(tag) else { throw CLIError("\(target.id.hex) has no tag '\(Terminal.singleLine(tag))'") }
            operations.append(.removeTag(entity: target.id, tag: tag))
        }
        return operations
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete an annotation.",
        discussion: """
            A delete removes the annotation as this replica has seen it. If another replica edits
            it meanwhile, it stays, flagged as a delete-vs-edit conflict: 'gloss resolve ID --keep'
            keeps it, and deleting it again removes it.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The annotation id (or a unique prefix).") var id: String

    func run() async throws {
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        guard target.kind == .annotation else { throw CLIError("only annotations can be deleted, and \(target.id.hex) is an article") }
        try reportingErrors {
            try store.update(time: currentTime()) { edit in
                guard try edit.state(of: [target.id]).annotations[target.id]!.presence.isAlive else {
                    throw CLIError("annotation \(target.id.hex) is already deleted")
                }
                return [.deleteAnnotation(id: target.id)]
            }
        }
        print("Deleted annotation \(target.id.hex).")
    }
}
