/// Places an annotation by hand on its article's current revision, at a quote a person gives
/// (found as `AnnotateIntent` finds one, `occurrence` picking among several): the way to give
/// an orphan back its place, or to correct one re-anchoring placed. Written to the annotation's
/// `anchor` field (`PlacedAnchor`), so two people placing it at once is a conflict of that
/// field. Skipped, as an edit is, when the field holds exactly that place and nothing beside it.
public struct ReanchorIntent: Intent, Hashable {
    public let annotation: EntityID
    /// The annotation's article, whose text is searched (a store loads just what `reads` names).
    public let article: EntityID
    public let quote: String
    public let occurrence: Int?

    public init(annotation: EntityID, article: EntityID, quote: String, occurrence: Int? = nil) {
        self.annotation = annotation
        self.article = article
        self.quote = quote
        self.occurrence = occurrence
    }

    public var reads: Set<EntityID> { [annotation, article] }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        let target = try IntentTarget(annotation, in: state)
        guard let held = state.annotations[annotation] else {
            throw IntentError(.wrongKind, "\(annotation.hex) is an article; reanchor places an annotation")
        }
        try target.requireAlive()
        guard held.article == article, let article = state.articles[article] else {
            throw IntentError(.noSuchEntity, "annotation \(annotation.hex) is not on article \(article.hex)")
        }
        let anchor: Anchor
        do {
            anchor = try QuoteAnchoring.anchor(quote: quote, in: article.currentBody, occurrence: occurrence)
        } catch {
            throw IntentError(.badQuote, AnnotateIntent.describe(error, quote: quote), quoteFailure: error)
        }
        let placed = PlacedAnchor(revision: article.currentRevision, start: anchor.start, end: anchor.end).text
        if target.alreadyHoldsOnly(placed, in: .anchor) { return [] }
        return [.set(entity: annotation, field: .anchor, value: placed)]
    }
}
