import ArgumentParser
import GlossCore
import GlossStore

struct Revise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revise",
        abstract: "Record a new revision of an article: the text it has now.",
        discussion: """
            The article keeps its id; the revision is known by its text's hash, so the same text \
            recorded on two replicas is one revision, and recording an earlier text makes it \
            current again. Annotations stay on the text they were made on and are shown where \
            re-anchoring finds them in the current revision: exact, moved, fuzzy or orphaned \
            ('gloss annotations --orphaned' lists those needing a person). Two revisions recorded \
            at once on two replicas are a conflict of the article's revision, settled with \
            'gloss resolve ARTICLE revision --pick N'.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The article id (or a unique prefix).") var article: String
    @Argument(
        help: "The new text: a UTF-8 .txt, .md or .markdown file, or - for standard input.",
        completion: .file(extensions: ["txt", "md", "markdown"])) var file: String
    @Option(help: "Why it changed (for 'gloss revisions').") var note: String = ""

    struct Recorded: Encodable {
        let article: String
        let revision: String
        let number: Int
        let revisions: Int
        let recorded: Bool
        let anchors: [String: Int]
    }

    func run() async throws {
        let store = try storeOptions.open()
        let found = try reportingErrors { try store.resolve(prefix: article) }
        guard found.kind == .article else { throw CLIError("\(found.id.hex) is an annotation; 'gloss revise' takes an article") }
        let text = try ArticleFile(path: file, verb: "revise with")
        // For the message only (the intent is decided in the write): was the revision contested?
        let wasContested =
            try reportingErrors { try store.state(of: [found.id]) }.articles[found.id]?.registers[.revision]?.isInConflict == true
        let intent = ReviseIntent(article: found.id, body: text.body, note: note)
        let change = try reportingErrors { try store.perform(intent, time: currentTime()) }
        let state = try reportingErrors { try store.state(ofArticle: found.id) }
        let held = state.articles[found.id]!
        let history = held.revisionHistory
        let number = history.firstIndex(of: intent.revision)! + 1
        var placer = AnchorPlacer(article: held, revision: intent.revision)
        var anchors = Dictionary(uniqueKeysWithValues: Reanchoring.State.allCases.map { ($0.rawValue, 0) })
        for annotation in state.liveAnnotations(of: found.id) { anchors[placer.place(annotation).state.rawValue]! += 1 }
        if output.json {
            return try printJSON(
                Recorded(
                    article: found.id.hex, revision: intent.revision.hex, number: number, revisions: history.count, recorded: change != nil,
                    anchors: anchors))
        }
        let name = "revision \(number) of \(found.id.hex)"
        guard change != nil else {
            print("Nothing to record: \(name) is the current one already.")
            return
        }
        let added = change!.operations.contains { if case .addRevision = $0 { true } else { false } }
        if added {
            print("Recorded \(name) (\(intent.revision.hex)).")
        } else {
            print(wasContested ? "Settled the revision: \(name) is current." : "Made \(name) current again (\(intent.revision.hex)).")
            if !note.isEmpty { Terminal.note("The note was not recorded: this text was recorded before, with its own note.") }
        }
        let total = anchors.values.reduce(0, +)
        guard total > 0 else { return }
        let parts = Reanchoring.State.allCases.filter { anchors[$0.rawValue]! > 0 }.map { "\(anchors[$0.rawValue]!) \($0.rawValue)" }
        print("Its \(counted(total, "annotation")) in this revision: \(parts.joined(separator: ", ")).")
        if anchors["orphaned"]! > 0 {
            print(
                "'gloss annotations \(found.id.hex.prefix(12)) --orphaned' lists the orphans; 'gloss reanchor ID --quote ...' places one.")
        }
    }
}
