import ArgumentParser
import GlossCore
import GlossStore

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import articles from UTF-8 .txt or .md files. Prints each article's id.",
        discussion: """
            The same text imported twice, here or on another replica, is one article: its id
            is a hash of the text. The title defaults to the first line or sentence.
            All files are checked before anything is written, and imported in one change.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The files to import.") var files: [String]
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
        if tags.contains(where: { $0.allSatisfy(\.isWhitespace) }) { throw ValidationError("--tag needs a tag with some text in it") }
    }

    func run() async throws {
        let store = try storeOptions.open()
        let articles = try files.map(ArticleFile.init(path:))
        let total = articles.reduce(0) { $0 + $1.body.utf8.count }
        guard total <= ArticleFile.maximumSize else {
            throw CLIError(
                "these files hold \(total) bytes of text; one import takes at most \(ArticleFile.maximumSize) (8 MiB, one change that must fit in one sync frame): import them in several goes"
            )
        }
        var results: [Imported] = []
        try reportingErrors {
            try store.update(time: currentTime()) { edit in
                let (operations, imported) = try importOperations(articles, existing: edit.state(of: Set(articles.map(\.id))).articles)
                results = imported
                return operations
            }
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

    /// One change for all the files: new articles are created with their fields; an article
    /// already held only gets the --title, --source and --tag values that differ.
    func importOperations(_ files: [ArticleFile], existing: [EntityID: ArticleState]) throws -> ([Operation], [Imported]) {
        var operations: [Operation] = []
        var results: [Imported] = []
        var titles: [EntityID: String] = [:]  // articles this import already handled
        for file in files {
            let id = file.id
            if let title = titles[id] {
                // The same text twice in one import: one article, reported for each file.
                results.append(Imported(id: id.hex, title: title, created: false))
                continue
            }
            let current = existing[id]
            if current == nil { operations.append(.createArticle(id: id, body: file.body)) }
            let newTitle = title ?? (current == nil ? ArticleText.defaultTitle(of: file.body, markdown: file.isMarkdown) : nil)
            if let newTitle,
                current?.value(of: .title)?.isByteEqual(to: newTitle) != true || current?.registers[.title]?.isInConflict == true
            {
                operations.append(.set(entity: id, field: .title, value: newTitle))
            }
            if let source, current?.value(of: .source)?.isByteEqual(to: source) != true {
                operations.append(.set(entity: id, field: .source, value: source))
            }
            for tag in Set(tags.map(ExactText.init)).sorted().map(\.string) where current?.tags.contains(tag) != true {
                operations.append(.addTag(entity: id, tag: tag))
            }
            let shownTitle = newTitle ?? current?.value(of: .title) ?? ""
            titles[id] = shownTitle
            results.append(Imported(id: id.hex, title: shownTitle, created: current == nil))
        }
        return (operations, results)
    }
}
