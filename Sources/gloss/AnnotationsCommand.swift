import ArgumentParser
import GlossCore

struct Annotations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List annotations, of one article or all.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Only this article's annotations (id or unique prefix).") var article: String?
    @Option(help: "Only annotations with this tag.") var tag: String?

    func run() async throws {
        let store = try storeOptions.openForReading()
        var articleID: EntityID?
        if let article {
            let id = try reportingErrors { try store.resolve(prefix: article) }
            guard id.kind == .article else { throw CLIError("\(id.id.hex) is an annotation, not an article") }
            articleID = id.id
        }
        let state = try reportingErrors { try articleID.map(store.state(ofArticle:)) ?? store.state() }
        let annotations = state.liveAnnotations(of: articleID, tag: tag).map(AnnotationSummary.init)
        if output.json { return try printJSON(annotations) }
        if annotations.isEmpty { Terminal.note("No annotations.") }
        for annotation in annotations {
            var line = "\(annotation.id)  \"\(Terminal.singleLine(annotation.exact))\""
            if let note = annotation.note.value, !note.isEmpty { line += " — \(Terminal.singleLine(note))" }
            if let color = annotation.color.value { line += " (\(Terminal.singleLine(color)))" }
            if !annotation.tags.isEmpty { line += " " + annotation.tags.map { "#" + Terminal.singleLine($0) }.joined(separator: " ") }
            if !annotation.conflicts.isEmpty { line += " [conflict: \(annotation.conflicts.joined(separator: ", "))]" }
            print(line)
        }
    }
}
