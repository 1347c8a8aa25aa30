/// Brings articles into the store in one change, with a title, source and tags.
///
/// An article's id is the hash of its text (`ArticleText.id(of:)`), so importing text the store
/// already holds creates nothing: the article only gets the title and source given, by the same
/// rule as an edit (skipped when the field already holds exactly that value), and every tag
/// given, present or not. A new article without a title gets its first line or sentence. The
/// same text twice in one import is one article.
public struct ImportIntent: Intent, Hashable {
    public struct Article: Hashable, Sendable {
        /// The text as it will be stored (`ArticleText.normalized`).
        public let body: String
        /// Markdown: a default title drops the heading's `#` marks.
        public let isMarkdown: Bool

        public init(body: String, isMarkdown: Bool = false) {
            self.body = body
            self.isMarkdown = isMarkdown
        }

        public var id: EntityID { ArticleText.id(of: body) }
    }

    public let articles: [Article]
    public let title: String?
    public let source: String?
    public let tags: [String]

    public init(articles: [Article], title: String? = nil, source: String? = nil, tags: [String] = []) {
        self.articles = articles
        self.title = title
        self.source = source
        self.tags = tags
    }

    public var reads: Set<EntityID> { Set(articles.map(\.id)) }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        let tags = try IntentTags.distinct(self.tags)
        if let title { try EditIntent.check(title, for: .title) }
        var operations: [Operation] = []
        var handled: Set<EntityID> = []
        for article in articles where handled.insert(article.id).inserted {
            let id = article.id
            guard let current = state.articles[id] else {
                if state.annotations[id] != nil { throw IntentError(.wrongKind, "\(id.hex) is an annotation") }
                operations.append(.createArticle(id: id, body: article.body))
                let title = self.title ?? ArticleText.defaultTitle(of: article.body, markdown: article.isMarkdown)
                operations.append(.set(entity: id, field: .title, value: title))
                if let source { operations.append(.set(entity: id, field: .source, value: source)) }
                operations += tags.map { .addTag(entity: id, tag: $0) }
                continue
            }
            for (field, value) in [(Field.title, title), (.source, source)] {
                guard let value, current.registers[field]?.holdsOnly(value) != true else { continue }
                operations.append(.set(entity: id, field: field, value: value))
            }
            operations += tags.map { .addTag(entity: id, tag: $0) }
        }
        return operations
    }
}
