import ArgumentParser
import GlossCore
import GlossStore

struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit an annotation (note, color, tags) or an article (title, source, tags).",
        discussion: """
            A write replaces every value of the field this replica holds, conflicting ones included; \
            writing the value a field already holds, alone, changes nothing. Every --add-tag is \
            recorded, even for a tag that is already there, so that it wins over a remove made on \
            another replica meanwhile.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The annotation or article id (or a unique prefix).") var id: String
    @OptionGroup var noteOptions: NoteOptions
    @Option(help: "The annotation's new color.") var color: String?
    @Flag(name: .customLong("remove-color"), help: "Remove the annotation's color.") var removeColor = false
    @Option(help: "The article's new title.") var title: String?
    @Option(help: "The article's new source.") var source: String?
    @Option(name: .customLong("add-tag"), help: "A tag to add (repeatable).") var addTags: [String] = []
    @Option(name: .customLong("remove-tag"), help: "A tag to remove (repeatable).") var removeTags: [String] = []

    /// Called at the start of `run()`, before the store is opened, not as `validate()`:
    /// argument-parser runs validate() before it reports an unknown option, so `--colour red`
    /// alone was answered with "say what to change" instead of "Unknown option '--colour'. Did
    /// you mean '--color'?".
    func checkUsage() throws {
        if !noteOptions.isGiven && [color, title, source].allSatisfy({ $0 == nil }) && !removeColor && addTags.isEmpty
            && removeTags.isEmpty
        {
            throw ValidationError(
                "say what to change: --note, --note-file, --color, --remove-color, --title, --source, --add-tag or --remove-tag")
        }
        if color != nil && removeColor { throw ValidationError("give --color or --remove-color, not both") }
        if color?.isEmpty == true { throw ValidationError("--color needs a name; --remove-color removes it") }
        if let title, title.unicodeScalars.allSatisfy(\.properties.isWhitespace) { throw ValidationError("--title needs some text") }
    }

    func run() async throws {
        try checkUsage()
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        let fields = [Field.note: try noteOptions.read(), .color: removeColor ? "" : color, .title: title, .source: source]
            .compactMapValues { $0 }
        let intent = EditIntent(target: target.id, fields: fields, addTags: addTags, removeTags: removeTags)
        guard try reportingErrors({ try store.perform(intent, time: currentTime()) }) != nil else {
            print("Nothing to change: \(target.id.hex) already looks like that.")
            return
        }
        print("Edited \(target.kind.rawValue) \(target.id.hex).")
    }
}
