import ArgumentParser
import GlossCore

struct Annotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Highlight a quoted passage of an article, with an optional note. Prints the annotation's id.",
        discussion: """
            The quote is matched forgivingly when its exact text is not in the article: curly and \
            straight quotation marks, apostrophes and dashes are alike, as are accents typed \
            composed or decomposed, and any run of spaces or line breaks; the highlight takes the \
            article's own text. When the quote occurs more than once, --occurrence N picks the Nth \
            (from 1); gloss lists them with a few words around each.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The article id (or a unique prefix).") var article: String
    @Option(help: "The text to highlight, as it reads in the article.") var quote: String
    @Option(help: "Which occurrence of the quote, counting from 1.") var occurrence: Int?
    @OptionGroup var noteOptions: NoteOptions
    @Option(help: "A highlight color, e.g. yellow.") var color: String?
    @Option(name: .customLong("tag"), help: "A tag to add (repeatable).") var tags: [String] = []

    func validate() throws {
        if color?.isEmpty == true { throw ValidationError("--color needs a name, e.g. yellow") }
    }

    func run() async throws {
        let store = try storeOptions.open()
        let id = try reportingErrors { try store.resolve(prefix: article) }
        let note = try noteOptions.read()
        let intent = AnnotateIntent(article: id.id, quote: quote, occurrence: occurrence, note: note, color: color, tags: tags)
        let change: Change?
        do {
            change = try store.perform(intent, time: currentTime())
        } catch let error as IntentError {
            throw CLIError(error.quoteFailure.map { Self.explain($0, quote: quote) } ?? error.message)
        }
        print(AnnotateIntent.annotationID(createdBy: change!.id).hex)
    }

    static func explain(_ failure: QuoteAnchoring.Failure, quote: String) -> String {
        let shown = "\"\(Terminal.singleLine(quote))\""
        switch failure {
        case .emptyQuote: return "--quote needs some text"
        case .notFound: return "the article does not contain \(shown)"
        case .ambiguous(let count, let contexts):
            return "\(shown) occurs \(count) times in the article; pick one with --occurrence N: "
                + QuoteAnchoring.numbered(contexts, of: count)
        case .noSuchOccurrence(let requested, let count):
            return "--occurrence \(requested): \(shown) occurs \(counted(count, "time")) (counting from 1)"
        }
    }
}
