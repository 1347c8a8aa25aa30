import ArgumentParser
import GlossCore
import GlossStore

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import articles from UTF-8 .txt, .md or .markdown files, or - for standard input. Prints each article's id.",
        discussion: """
            The same text imported twice, here or on another replica, is one article: its id \
            is a hash of the text. The title defaults to the first line or sentence. \
            All files are checked before anything is written, and imported in one change.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The files to import (- for standard input).", completion: .file(extensions: ["txt", "md", "markdown"])) var files:
        [String]
    @Option(help: "The title (one file only); defaults to the first line or sentence.") var title: String?
    @Option(help: "Where the article comes from, e.g. a URL.") var source: String?
    @Option(name: .customLong("tag"), help: "A tag to add (repeatable).") var tags: [String] = []

    struct Imported: Encodable {
        let id: String
        let title: String
        let created: Bool
    }

    func validate() throws {
        if title != nil && files.count > 1 { throw ValidationError("--title applies to one file; import the files one at a time") }
    }

    func run() async throws {
        let store = try storeOptions.open()
        let articles = try files.map { try ArticleFile(path: $0) }
        let total = articles.reduce(0) { $0 + $1.body.utf8.count }
        guard total <= ArticleFile.maximumSize else {
            throw CLIError(
                "\(files.count == 1 ? "this file holds" : "these files hold") \(total) bytes of text; one import takes at most \(ArticleFile.maximumSize) (8 MiB, one change that must fit in one sync frame): import them in several goes"
            )
        }
        let intent = ImportIntent(
            articles: articles.map { ImportIntent.Article(body: $0.body, isMarkdown: $0.isMarkdown) }, title: title, source: source,
            tags: tags)
        let change = try reportingErrors { try store.perform(intent, time: currentTime()) }
        let created = Set(
            (change?.operations ?? []).compactMap { operation -> EntityID? in
                guard case .createArticle(let id, _) = operation else { return nil }
                return id
            })
        let held = try reportingErrors { try store.state(of: intent.reads) }.articles
        let results = articles.enumerated().map { index, file in
            // The same text twice in one import is one article, created by the first file.
            let first = articles.firstIndex { $0.id == file.id } == index
            return Imported(id: file.id.hex, title: held[file.id]?.value(of: .title) ?? "", created: first && created.contains(file.id))
        }
        if output.json {
            try printJSON(results)
        } else {
            for result in results {
                print(result.id)
                if !result.created { Terminal.note("\(result.id) was already in the store: \(Terminal.singleLine(result.title))") }
            }
        }
    }
}
