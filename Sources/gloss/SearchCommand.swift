import ArgumentParser
import GlossCore
import GlossStore

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find articles and notes that hold some words.",
        discussion: """
            Every word must be there, as a whole word, whatever its case or accents ("kyiv" finds \
            "Kyiv"); end a word with * to match its beginning (report* finds reporter). Results \
            come best first, each with the words around the match, marked.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The words to find.") var words: [String]
    @Option(name: .customLong("in"), help: ArgumentHelp("Where to look: notes, articles or all.", valueName: "notes|articles|all"))
    var scope: GlossStore.SearchScope = .all
    @Option(help: "Only articles and annotations with this tag.") var tag: String?
    @Option(help: "At most this many results.") var limit = 50

    func validate() throws {
        guard !GlossStore.searchTerms(words).isEmpty else { throw ValidationError("give a word to search for") }
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        // On a terminal, matches are marked with two private-use characters, replaced with bold
        // underline only after the snippet was made safe (Terminal.singleLine): stored text can
        // never put escape sequences on the screen.
        let colored = !output.json && Terminal.usesColor
        let mark = colored ? ("\u{E000}", "\u{E001}") : ("«", "»")
        let hits = try reportingErrors { try store.search(words, in: scope, tag: tag, limit: limit, mark: mark) }
        let articles = try reportingErrors { try store.state(of: Set(hits.map(\.article))).articles }
        func title(_ id: EntityID) -> String { articles[id]?.value(of: .title) ?? "" }
        if output.json {
            return try printJSON(
                hits.map { hit in
                    SearchResult(
                        kind: hit.kind.rawValue, id: hit.entity.hex, article: hit.article.hex, articleTitle: title(hit.article),
                        articleArchived: articles[hit.article]?.isArchived ?? false, snippet: hit.snippet)
                })
        }
        if hits.isEmpty { Terminal.note("Nothing found.") }
        for hit in hits {
            var what = hit.kind == .article ? "article" : "note on \(hit.article.hex.prefix(12))"
            // Search finds archived articles too, and says so.
            if articles[hit.article]?.isArchived == true { what += " (archived)" }
            let heading = title(hit.article)
            let short = heading.count > 60 ? heading.prefix(59) + "…" : heading[...]
            print("\(hit.entity.hex)  \(what)  \(Terminal.singleLine(String(short)))")
            let snippet = Terminal.singleLine(hit.snippet)
            print(
                "    "
                    + (colored
                        ? snippet.replacingOccurrences(of: mark.0, with: "\u{1B}[1;4m").replacingOccurrences(of: mark.1, with: "\u{1B}[0m")
                        : snippet))
        }
    }
}

struct SearchResult: Encodable {
    let kind: String
    let id: String
    let article: String
    let articleTitle: String
    let articleArchived: Bool
    let snippet: String

    enum CodingKeys: String, CodingKey {
        case kind, id, article, snippet
        case articleTitle = "article_title"
        case articleArchived = "article_archived"
    }
}

extension GlossStore.SearchScope: ExpressibleByArgument {}
