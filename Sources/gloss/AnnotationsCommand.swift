import ArgumentParser
import GlossCore

struct Annotations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotations", abstract: "List annotations, of one article or all.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Only this article's annotations (id or unique prefix).") var article: String?
    @Option(help: "Only annotations with this tag.") var tag: String?
    @Flag(help: "List the deleted annotations instead ('gloss restore ID' brings one back).") var deleted = false
    @Flag(help: "List only the annotations that could not be placed in their article's current revision.") var orphaned = false

    func validate() throws {
        if deleted && orphaned { throw ValidationError("give --deleted or --orphaned, not both") }
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        var articleID: EntityID?
        if let article {
            let id = try reportingErrors { try store.resolve(prefix: article) }
            guard id.kind == .article else { throw CLIError("\(id.id.hex) is an annotation, not an article") }
            articleID = id.id
        }
        // Ids by query in reading order, then the annotations a page at a time: the first
        // screen shows at once, and memory does not grow with the store.
        // Listing every article's, the archived articles' are left out; naming one lists them.
        let (ids, hidden) = try reportingErrors {
            guard let articleID else {
                return try store.liveAnnotationIDs(tag: tag, deleted: deleted, hiding: try store.archivedArticleIDs())
            }
            return (try store.liveAnnotationIDs(of: articleID, tag: tag, deleted: deleted), 0)
        }
        let pages = stride(from: 0, to: ids.count, by: Self.pageSize).lazy.map { start in
            Array(ids[start..<min(ids.count, start + Self.pageSize)])
        }
        // Each shown where its article's current revision holds it; an article's revisions are
        // diffed once, whatever the number of pages its annotations span (the ids come article
        // by article, so a page keeps only its own articles' placers).
        // An annotation on an article never revised, and not placed by hand, is shown as made:
        // its article's text need not be read (most of a store, most of the time).
        var placers: [EntityID: AnchorPlacer] = [:]
        let revised = try reportingErrors { try store.revisedArticleIDs() }
        func needsPlacing(_ annotation: AnnotationState) -> Bool {
            revised.contains(annotation.article) || annotation.registers[.anchor] != nil
        }
        func load(_ page: [EntityID]) throws -> [(AnnotationSummary, ShownAnchor)] {
            let loaded = try reportingErrors { try store.state(of: Set(page)) }.annotations
            let articles = Set(loaded.values.map(\.article))
            placers = placers.filter { articles.contains($0.key) }
            let missing = Set(loaded.values.filter(needsPlacing).map(\.article)).subtracting(placers.keys)
            for article in try reportingErrors({ try store.state(of: missing) }).articles.values {
                placers[article.id] = AnchorPlacer(article: article)
            }
            return page.compactMap { id in
                guard let annotation = loaded[id] else { return nil }
                let shown = needsPlacing(annotation) ? placers[annotation.article]!.place(annotation) : .asMade(annotation)
                return orphaned && shown.state != .orphaned ? nil : (AnnotationSummary(annotation, shown: shown), shown)
            }
        }
        if output.json { return try printJSON(try pages.flatMap(load).map(\.0)) }
        let empty = orphaned ? "No orphaned annotations." : deleted ? "No deleted annotations." : "No annotations."
        if ids.isEmpty && hidden == 0 { Terminal.note(empty) }
        if hidden > 0 {
            let what = hidden == 1 ? "1 annotation on an archived article is" : "\(hidden) annotations on archived articles are"
            Terminal.note("\(what) not listed (name the article to list them).")
        }
        var listed = 0
        for page in pages {
            for (annotation, shown) in try load(page) {
                print(Self.line(annotation, shown, showingArticle: articleID == nil))
                listed += 1
            }
        }
        if orphaned && listed == 0 && !ids.isEmpty { Terminal.note(empty) }
    }

    /// How many characters of a note's first line a list shows.
    static let noteShown = 100

    /// How many annotations are loaded at a time.
    static let pageSize = 500

    /// One annotation on one line; listing several articles, it starts with the article's id.
    static func line(_ annotation: AnnotationSummary, _ shown: ShownAnchor, showingArticle: Bool) -> String {
        var line =
            "\(annotation.id)  \(showingArticle ? "on \(annotation.article.prefix(12))  " : "")\"\(Terminal.singleLine(annotation.exact))\""
        if let note = annotation.note.value, !note.isEmpty {
            // A list shows the start of a long note; 'gloss show' shows it whole.
            line += " — \(Terminal.excerpt(note, limit: noteShown))"
        }
        if let marker = shown.marker { line += " \(marker)" }
        if let color = annotation.color.value { line += " (\(Terminal.singleLine(color)))" }
        if !annotation.tags.isEmpty { line += " " + annotation.tags.map { "#" + Terminal.singleLine($0) }.joined(separator: " ") }
        if !annotation.conflicts.isEmpty { line += " [conflict: \(annotation.conflicts.joined(separator: ", "))]" }
        return line
    }
}
