import ArgumentParser
import GlossCore
import GlossStore

struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit an annotation (note, color, tags) or an article (title, source, tags).",
        discussion: """
            A write replaces every value of the field this replica holds, conflicting ones included;
            writing the value a field already holds, alone, changes nothing. Every --add-tag is
            recorded, even for a tag that is already there, so that it wins over a remove made on
            another replica meanwhile.
            """
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
    }

    func run() async throws {
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        let fields = [Field.note: note, .color: color, .title: title, .source: source].compactMapValues { $0 }
        let intent = EditIntent(target: target.id, fields: fields, addTags: addTags, removeTags: removeTags)
        guard try reportingErrors({ try store.perform(intent, time: currentTime()) }) != nil else {
            print("Nothing to change: \(target.id.hex) already looks like that.")
            return
        }
        print("Edited \(target.kind.rawValue) \(target.id.hex).")
    }
}
