/// Highlights a quoted passage of an article, with an optional note, color and tags.
///
/// The quote is found in the article's text (`QuoteAnchoring`): when it occurs more than once,
/// `occurrence` picks one, counting from 1. The new annotation's id is derived from the change's
/// dot (`ID128.annotation(createdAt:index:)`), so it is known as soon as the change is.
public struct AnnotateIntent: Intent, Hashable {
    public let article: EntityID
    public let quote: String
    public let occurrence: Int?
    public let note: String?
    public let color: String?
    public let tags: [String]

    public init(article: EntityID, quote: String, occurrence: Int? = nil, note: String? = nil, color: String? = nil, tags: [String] = []) {
        self.article = article
        self.quote = quote
        self.occurrence = occurrence
        self.note = note
        self.color = color
        self.tags = tags
    }

    public var reads: Set<EntityID> { [article] }

    /// The id the annotation gets when the intent is carried out as change `dot`.
    public static func annotationID(createdBy dot: Dot) -> EntityID { ID128.annotation(createdAt: dot, index: 0) }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        guard let articleState = state.articles[article] else {
            let message =
                state.annotations[article] != nil
                ? "\(article.hex) is an annotation; annotate an article" : "no article \(article.hex)"
            throw IntentError(state.annotations[article] != nil ? .wrongKind : .noSuchEntity, message)
        }
        // On the revision shown: a person quotes the text they read.
        let revision = articleState.currentRevision
        var anchor: Anchor
        do {
            anchor = try QuoteAnchoring.anchor(quote: quote, in: articleState.currentBody, occurrence: occurrence)
        } catch {
            throw IntentError(.badQuote, Self.describe(error, quote: quote), quoteFailure: error)
        }
        anchor.revision = revision == article ? nil : revision
        let id = Self.annotationID(createdBy: dot)
        var operations: [Operation] = [.createAnnotation(id: id, article: article, anchor: anchor)]
        if let note { operations.append(.set(entity: id, field: .note, value: note)) }
        if let color {
            try EditIntent.check(color, for: .color)
            if !color.isEmpty { operations.append(.set(entity: id, field: .color, value: color)) }
        }
        operations += try IntentTags.distinct(tags).map { .addTag(entity: id, tag: $0) }
        return operations
    }

    static func describe(_ failure: QuoteAnchoring.Failure, quote: String) -> String {
        switch failure {
        case .emptyQuote: "the quote needs some text"
        case .notFound: "the article does not contain \"\(quote)\""
        case .ambiguous(let count, let contexts):
            "\"\(quote)\" occurs \(count) times in the article; pick one occurrence: "
                + QuoteAnchoring.numbered(contexts, of: count)
        case .noSuchOccurrence(let requested, let count):
            "occurrence \(requested): \"\(quote)\" occurs \(count) time\(count == 1 ? "" : "s") (counting from 1)"
        }
    }
}
