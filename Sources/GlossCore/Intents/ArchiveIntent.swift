/// Archives articles (hides them from lists, keeps them and their annotations, syncs) or brings
/// them back, in one change: the `archived` field set to `yes`, or to the empty string.
///
/// An article already shown that way, with nothing concurrent beside it, is skipped; archiving
/// and unarchiving on two replicas at once is a conflict of that field like any other, listed
/// and resolved as such (the article shows the provisional winner meanwhile).
public struct ArchiveIntent: Intent, Hashable {
    public let articles: [EntityID]
    public let archived: Bool

    /// The value written: any non-empty value archives (`ArticleState.isArchived`).
    public static let archivedValue = "yes"

    public init(articles: [EntityID], archived: Bool) {
        self.articles = articles
        self.archived = archived
    }

    public var reads: Set<EntityID> { Set(articles) }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        let value = archived ? Self.archivedValue : ""
        var operations: [Operation] = []
        for id in Set(articles).sorted() {
            let target = try IntentTarget(id, in: state)
            guard let article = state.articles[id] else {
                throw IntentError(.wrongKind, "only articles can be archived, and \(id.hex) is an annotation")
            }
            // Shown that way and settled: nothing any replica could see would change.
            if !target.register(.archived).isInConflict, article.isArchived == archived { continue }
            operations.append(.set(entity: id, field: .archived, value: value))
        }
        return operations
    }
}
