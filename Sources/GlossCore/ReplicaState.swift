/// Everything one replica holds, merged: the reference implementation of the merge rules.
///
/// Apply changes in causal order; applying one twice is a no-op, and any causal order of the
/// same changes gives the same state (and so the same `StateDigest`). The store keeps its state
/// in SQLite but applies each change through this same type, loading just the entities the
/// change touches, so there is one set of merge rules.
///
///     var state = ReplicaState()
///     try state.apply(change)        // true: applied
///     try state.apply(change)        // false: already held
public struct ReplicaState: Hashable, Sendable {
    public var clock: VersionVector
    public var articles: [EntityID: ArticleState]
    public var annotations: [EntityID: AnnotationState]

    public init(
        clock: VersionVector = VersionVector(),
        articles: [EntityID: ArticleState] = [:],
        annotations: [EntityID: AnnotationState] = [:]
    ) {
        self.clock = clock
        self.articles = articles
        self.annotations = annotations
    }

    /// Applies `change` wholly or not at all. Returns false, changing nothing, when the change is
    /// already held. Throws `.notReady` when predecessors are missing, `.invalidChange` when it
    /// breaks the model's rules or names entities that do not exist.
    @discardableResult
    public mutating func apply(_ change: Change) throws(GlossCoreError) -> Bool {
        guard change.id.seq >= 1 else { throw GlossCoreError(.invalidChange, "change \(change.id): sequence numbers start at 1") }
        if clock.contains(change.id) { return false }
        guard change.isReady(for: clock) else {
            throw GlossCoreError(.notReady, "change \(change.id) needs changes this replica does not hold")
        }
        try change.validateShape()
        var next = self
        for (index, operation) in change.operations.enumerated() {
            try next.apply(operation, at: index, of: change)
        }
        next.clock[change.id.replica] = change.id.seq
        self = next
        return true
    }

    private mutating func apply(_ operation: Operation, at index: Int, of change: Change) throws(GlossCoreError) {
        switch operation {
        case .createArticle(let id, let body):
            if articles[id] == nil { articles[id] = ArticleState(id: id, body: body) }
        case .createAnnotation(let id, let articleID, let anchor):
            guard let article = articles[articleID] else { throw missing(articleID, in: change) }
            guard annotations[id] == nil else { throw invalid("annotation \(id.hex) exists already", change) }
            guard Self.anchor(anchor, fits: article.body) else {
                throw invalid("annotation \(id.hex) does not quote article \(articleID.hex)", change)
            }
            var annotation = AnnotationState(id: id, article: articleID, anchor: anchor)
            annotation.presence.apply(.alive, by: change)
            annotations[id] = annotation
        case .set(let entity, let field, let value):
            try edit(entity, of: field.entityKind, by: change) { registers, _ in
                registers[field, default: MultiValueRegister()].apply(write: value, by: change)
            }
        case .addTag(let entity, let tag):
            try edit(entity, of: nil, by: change) { _, tags in tags.add(tag, by: change) }
        case .removeTag(let entity, let tag):
            try edit(entity, of: nil, by: change) { _, tags in tags.remove(tag, by: change) }
        case .deleteAnnotation(let id):
            guard annotations[id] != nil else { throw missing(id, in: change) }
            annotations[id]!.presence.apply(.deleted, by: change)
        case .keepAnnotation(let id):
            guard annotations[id] != nil else { throw missing(id, in: change) }
            annotations[id]!.presence.apply(.alive, by: change)
        }
    }

    /// Runs `body` on an entity's registers and tags; an annotation edit also marks it alive.
    private mutating func edit(
        _ entity: EntityID, of kind: EntityKind?, by change: Change,
        _ body: (inout [Field: MultiValueRegister], inout AddWinsSet) -> Void
    ) throws(GlossCoreError) {
        if kind != .annotation, var article = articles[entity] {
            body(&article.registers, &article.tags)
            articles[entity] = article
        } else if kind != .article, var annotation = annotations[entity] {
            body(&annotation.registers, &annotation.tags)
            annotation.presence.apply(.alive, by: change)
            annotations[entity] = annotation
        } else {
            throw missing(entity, in: change)
        }
    }

    /// The anchor lies inside the body and its exact text is what the body holds there.
    static func anchor(_ anchor: Anchor, fits body: String) -> Bool {
        let scalars = body.unicodeScalars
        guard anchor.end <= UInt64(scalars.count), anchor.start < anchor.end else { return false }
        let start = scalars.index(scalars.startIndex, offsetBy: Int(anchor.start))
        let end = scalars.index(start, offsetBy: Int(anchor.end - anchor.start))
        return scalars[start..<end].elementsEqual(anchor.exact.unicodeScalars)
    }

    private func missing(_ entity: EntityID, in change: Change) -> GlossCoreError {
        invalid("no article or annotation \(entity.hex) of the right kind", change)
    }

    private func invalid(_ message: String, _ change: Change) -> GlossCoreError {
        GlossCoreError(.invalidChange, "change \(change.id): \(message)")
    }
}
