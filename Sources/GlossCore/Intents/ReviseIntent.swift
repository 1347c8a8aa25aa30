/// Records a new revision of an article: its text as `ArticleText.normalized` leaves it, and
/// why (`note`, may be empty).
///
/// - The text is added (`addRevision`) unless the article holds it already: the first text,
///   or one added before (a correction taken back, the same text revised on another replica).
/// - The `revision` field is written unless it already holds exactly that revision with
///   nothing concurrent beside it, or was never written and the text is the first one. Either
///   way the write would change nothing any replica shows; with siblings, it settles the
///   conflict, so it is written.
/// - An article never revised and revised to its own text: nothing to do.
public struct ReviseIntent: Intent, Hashable {
    public let article: EntityID
    public let body: String
    public let note: String

    public init(article: EntityID, body: String, note: String = "") {
        self.article = article
        self.body = body
        self.note = note
    }

    public var reads: Set<EntityID> { [article] }

    /// The id of the revision `body` is.
    public var revision: EntityID { ArticleText.id(of: body) }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        guard let held = state.articles[article] else {
            let message =
                state.annotations[article] != nil ? "\(article.hex) is an annotation; revise an article" : "no article \(article.hex)"
            throw IntentError(state.annotations[article] != nil ? .wrongKind : .noSuchEntity, message)
        }
        guard !body.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            throw IntentError(.badValue, "a revision needs some text")
        }
        var operations: [Operation] = []
        if held.text(of: revision) == nil {
            operations.append(.addRevision(article: article, revision: revision, note: note, body: body))
        }
        let register = held.registers[.revision] ?? MultiValueRegister()
        let unchanged = register.values.isEmpty ? revision == article : register.holdsOnly(revision.hex)
        if !unchanged { operations.append(.set(entity: article, field: .revision, value: revision.hex)) }
        return operations
    }
}
