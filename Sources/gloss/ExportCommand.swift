import ArgumentParser
import Foundation
import GlossCore
import GlossStore

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export annotations: W3C Web Annotations, Markdown for a draft, or JSON.",
        discussion: """
            --format w3c writes a W3C Web Annotation collection (JSON-LD) of the live annotations \
            of the articles named, or of every article: each note and tag a TextualBody, the \
            quote as a TextQuoteSelector and a TextPositionSelector, with created, modified and \
            creator; the color as gloss:color. --format markdown writes one article with its \
            highlights marked and the notes as footnotes. --format json writes the articles and \
            their annotations for scripts. Without --out it prints to standard output.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case w3c, markdown, json
    }

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "What to write.") var format: Format
    @Option(
        help: ArgumentHelp("Write to this file (it must not exist) instead of standard output.", valueName: "file"), completion: .file())
    var out: String?
    @Argument(help: "The articles (ids or unique prefixes); all of them when none is named (one for markdown).")
    var articles: [String] = []

    func validate() throws {
        if format == .markdown && articles.count != 1 { throw ValidationError("--format markdown exports one article: name it") }
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        if let out { try refuseExisting(out) }
        var ids: [EntityID] = []
        for prefix in articles {
            let found = try reportingErrors { try store.resolve(prefix: prefix) }
            guard found.kind == .article else { throw CLIError("\(found.id.hex) is an annotation; export takes articles") }
            if !ids.contains(found.id) { ids.append(found.id) }
        }
        if articles.isEmpty { ids = try reportingErrors { try store.articleIDs().ids } }
        var exported: [(ArticleState, [AnnotationState])] = []
        var orphans = 0
        for id in ids {
            let state = try reportingErrors { try store.state(ofArticle: id) }
            let live = state.liveAnnotations(of: id)
            let (placed, orphaned) = Self.onCurrentRevision(state.articles[id]!, live)
            // Markdown draws passages in the text: an orphan has none. W3C keeps it, on the
            // revision it was made on. JSON gives each annotation as held, with where it is shown
            // (its `anchor`), as `annotations --json` does.
            exported.append((state.articles[id]!, format == .markdown ? placed : format == .w3c ? placed + orphaned : live))
            orphans += orphaned.count
        }
        let text: String
        switch format {
        case .markdown:
            text = MarkdownExport.render(exported[0].0, annotations: exported[0].1)
        case .w3c, .json:
            let annotationIDs = exported.flatMap { $0.1.map(\.id) }
            let provenance = try reportingErrors { try store.provenance(of: annotationIDs) }
            let names = try reportingErrors { try store.replicaNames() }
            text = try format == .w3c ? w3c(exported, provenance, names, store: store) : json(exported, provenance, names)
        }
        if format == .markdown && orphans > 0 {
            Terminal.note(
                "\(counted(orphans, "orphaned annotation")) left out: the current revision no longer holds \(orphans == 1 ? "its passage" : "their passages") (see 'gloss annotations --orphaned')."
            )
        }
        if let out {
            try writeAtomically(Data(text.utf8), to: out, replacing: false)
            let count = exported.reduce(0) { $0 + $1.1.count }
            Terminal.note(
                "Exported \(counted(count, "annotation")) of \(counted(exported.count, "article")) to \(Terminal.singleLine(out)).")
        } else {
            // On a terminal, Markdown (raw article text and notes) and JSON are shown safely; a
            // pipe or a file gets the text exactly.
            let terminal = isatty(STDOUT_FILENO) == 1
            let shown = !terminal ? text : format == .markdown ? Terminal.safe(text) : Terminal.safeJSON(text)
            FileHandle.standardOutput.write(Data(shown.utf8))
        }
    }

    private func w3c(
        _ exported: [(ArticleState, [AnnotationState])], _ provenance: [EntityID: Provenance], _ names: [ReplicaID: String],
        store: GlossStore
    ) throws -> String {
        let items = exported.flatMap { article, annotations in
            annotations.map { W3CExport.annotation($0, of: article, provenance: provenance[$0.id], names: names) }
        }
        let id = "urn:gloss:store:\(store.identity.storeID.hex):export"
        let collection = W3CExport.Collection(
            id: id, label: "Gloss annotations", total: items.count,
            first: items.isEmpty ? nil : W3CExport.Page(id: id + ":page:0", items: items))
        return try Self.encoded(collection)
    }

    /// The annotations of `article` as its current revision shows them: each placed one with
    /// its anchor there (the quote and context that revision holds), and the orphans as they
    /// were made. Exports speak of the text a reader has.
    static func onCurrentRevision(_ article: ArticleState, _ annotations: [AnnotationState]) -> (
        placed: [AnnotationState], orphaned: [AnnotationState]
    ) {
        var placer = AnchorPlacer(article: article)
        let scalars = Array(article.currentBody.unicodeScalars)
        var placed: [AnnotationState] = []
        var orphaned: [AnnotationState] = []
        for annotation in annotations {
            let shown = placer.place(annotation)
            guard let range = shown.range, var anchor = QuoteAnchoring.anchor(start: range.lowerBound, end: range.upperBound, in: scalars)
            else {
                orphaned.append(annotation)
                continue
            }
            anchor.revision = shown.revision == article.id ? nil : shown.revision
            placed.append(
                AnnotationState(
                    id: annotation.id, article: annotation.article, anchor: anchor, registers: annotation.registers, tags: annotation.tags,
                    presence: annotation.presence))
        }
        placed.sort { ($0.anchor.start, $0.anchor.end, $0.id) < ($1.anchor.start, $1.anchor.end, $1.id) }
        return (placed, orphaned)
    }

    private func json(_ exported: [(ArticleState, [AnnotationState])], _ provenance: [EntityID: Provenance], _ names: [ReplicaID: String])
        throws -> String
    {
        let articles = exported.map { article, annotations in
            var placer = AnchorPlacer(article: article)
            return ExportedArticle(
                id: article.id.hex, title: article.value(of: .title) ?? "", source: OrNull(article.value(of: .source)),
                body: article.currentBody, revision: article.currentRevision.hex,
                annotations: annotations.map { annotation in
                    let made = provenance[annotation.id]
                    return ExportedAnnotation(
                        annotation: AnnotationSummary(annotation, shown: placer.place(annotation)),
                        created: OrNull(made.map { formatTime($0.created) }),
                        modified: OrNull(made.map { formatTime($0.modified) }), creator: OrNull(made.map { $0.createdBy.hex }),
                        creatorName: OrNull(made.flatMap { names[$0.createdBy] }))
                })
        }
        return try Self.encoded(articles)
    }

    static func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// An export never replaces a file: it may be the draft the notes were pasted into.
    private func refuseExisting(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        let shown = Terminal.singleLine(path)
        throw isDirectory.boolValue
            ? CLIError("\(shown) is a directory; name the file to write, e.g. \(shown)/notes.jsonld") : overwriteRefused(shown)
    }
}

/// One article of `export --format json`.
struct ExportedArticle: Encodable {
    let id: String
    let title: String
    let source: OrNull<String>
    /// The current revision's text, and that revision's id.
    let body: String
    let revision: String
    let annotations: [ExportedAnnotation]
}

/// An annotation as `annotations --json` shows it, with when and by whom it was made.
struct ExportedAnnotation: Encodable {
    let annotation: AnnotationSummary
    let created: OrNull<String>
    let modified: OrNull<String>
    let creator: OrNull<String>
    let creatorName: OrNull<String>

    enum CodingKeys: String, CodingKey {
        case created, modified, creator
        case creatorName = "creator_name"
    }

    func encode(to encoder: any Encoder) throws {
        try annotation.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(created, forKey: .created)
        try container.encode(modified, forKey: .modified)
        try container.encode(creator, forKey: .creator)
        try container.encode(creatorName, forKey: .creatorName)
    }
}
