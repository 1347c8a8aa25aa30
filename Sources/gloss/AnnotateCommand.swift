import ArgumentParser
import GlossCore

struct Annotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Highlight a quoted passage of an article, with an optional note. Prints the annotation's id.",
        discussion: "When the quote occurs more than once, --occurrence N picks the Nth (from 1)."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The article id (or a unique prefix).") var article: String
    @Option(help: "The exact text to highlight.") var quote: String
    @Option(help: "Which occurrence of the quote, counting from 1.") var occurrence: Int?
    @Option(help: "A note on the passage.") var note: String?
    @Option(help: "A highlight color, e.g. yellow.") var color: String?
    @Option(name: .customLong("tag"), help: "A tag to add (repeatable).") var tags: [String] = []

    func validate() throws {
        if tags.contains(where: { $0.allSatisfy(\.isWhitespace) }) { throw ValidationError("--tag needs a tag with some text in it") }
    }

    func run() async throws {
        let store = try storeOptions.open()
        let id = try reportingErrors { try store.resolve(prefix: article) }
        guard id.kind == .article else { throw CLIError("\(id.id.hex) is an annotation; annotate an article") }
        let body = try reportingErrors { try store.state(of: [id.id]) }.articles[id.id]!.body
        let anchor: Anchor
        do {
            anchor = try QuoteAnchoring.anchor(quote: quote, in: body, occurrence: occurrence)
        } catch {
            throw CLIError(Self.explain(error, quote: quote))
        }
        let change = try reportingErrors {
            try store.commit(time: currentTime()) { dot in
                let annotation = ID128.annotation(createdAt: dot, index: 0)
                var operations: [Operation] = [.createAnnotation(id: annotation, article: id.id, anchor: anchor)]
                if let note { operations.append(.set(entity: annotation, field: .note, value: note)) }
                if let color { operations.append(.set(entity: annotation, field: .color, value: color)) }
                operations += Set(tags.map(ExactText.init)).sorted().map(\.string).map { .addTag(entity: annotation, tag: $0) }
                return operations
            }
        }
        print(ID128.annotation(createdAt: change.id, index: 0).hex)
    }

    static func explain(_ failure: QuoteAnchoring.Failure, quote: String) -> String {
        let shown = "\"\(Terminal.singleLine(quote))\""
        switch failure {
        case .emptyQuote: return "--quote needs some text"
        case .notFound: return "the article does not contain \(shown)"
        case .ambiguous(let count): return "\(shown) occurs \(count) times in the article; pick one with --occurrence 1...\(count)"
        case .noSuchOccurrence(let requested, let count):
            return "--occurrence \(requested): \(shown) occurs \(count) time\(count == 1 ? "" : "s") (counting from 1)"
        }
    }
}
