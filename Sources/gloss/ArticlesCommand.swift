import ArgumentParser
import GlossCore

struct Articles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "articles", abstract: "List the articles, with their tags and annotation counts.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only articles with this tag.") var tag: String?
    @Flag(help: "List the archived articles instead ('gloss unarchive ID' brings one back).") var archived = false

    func run() async throws {
        let store = try storeOptions.openForReading()
        // The articles alone: their annotations are counted by query, not loaded.
        let (all, counts) = try reportingErrors { try store.articleIDs(tag: tag) }
        let archivedIDs = try reportingErrors { try store.archivedArticleIDs() }
        let ids = all.filter { archivedIDs.contains($0) == archived }
        let articles = try reportingErrors { try store.state(of: Set(ids)) }.articles.values
            .sorted { ($0.value(of: .title) ?? "", $0.id) < ($1.value(of: .title) ?? "", $1.id) }
            .map { ArticleSummary($0, liveAnnotations: counts[$0.id] ?? 0) }
        if output.json { return try printJSON(articles) }
        let hidden = all.count - ids.count
        if articles.isEmpty {
            if archived {
                Terminal.note(tag == nil ? "No archived articles." : "No archived article has that tag.")
            } else if hidden == 0 {
                Terminal.note(tag == nil ? "No articles yet: add one with 'gloss import FILE'." : "No article has that tag.")
            }
        }
        if !archived, hidden > 0 {
            let what =
                hidden == 1
                ? "1 archived article not shown ('gloss articles --archived' lists it)"
                : "\(hidden) archived articles not shown ('gloss articles --archived' lists them)"
            Terminal.note(what + ".")
        }
        for article in articles {
            var line = "\(article.id)  \(Terminal.singleLine(article.title))"
            if let source = article.source.value { line += "  (\(Terminal.singleLine(source)))" }
            if !article.tags.isEmpty { line += "  " + article.tags.map { "#" + Terminal.singleLine($0) }.joined(separator: " ") }
            line += "  [\(counted(article.annotations, "annotation"))]"
            if !article.conflicts.isEmpty { line += " [conflict: \(article.conflicts.joined(separator: ", "))]" }
            print(line)
        }
    }
}
