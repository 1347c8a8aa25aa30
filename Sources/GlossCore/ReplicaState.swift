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
        // Operations edit the state in place; each entity's value before its first edit is
        // kept, to be put back should a later operation be refused. (Copying the whole state
        // instead cost a copy of every entity held per change: a store applies its batches
        // through a state of thousands of entities.)
        var undo = UndoLog()
        do throws(GlossCoreError) {
            for (index, operation) in change.operations.enumerated() {
                try apply(operation, at: index, of: change, keepingIn: &undo)
            }
        } catch {
            undo.restore(into: &self)
            throw error
        }
        clock[change.id.replica] = change.id.seq
        return true
    }

    private mutating func apply(
        _ operation: Operation, at index: Int, of change: Change, keepingIn undo: inout UndoLog
    ) throws(GlossCoreError) {
        switch operation {
        case .createArticle(let id, let body):
            guard articles[id] == nil else { return }
            undo.keep(article: id, articles[id])
            articles[id] = ArticleState(id: id, body: body)
        case .createAnnotation(let id, let articleID, let anchor):
            guard let article = articles[articleID] else { throw missing(articleID, in: change) }
            guard annotations[id] == nil else { throw invalid("annotation \(id.hex) exists already", change) }
            guard let text = article.text(of: anchor.revision ?? articleID) else {
                throw invalid("article \(articleID.hex) holds no revision \(anchor.revision?.hex ?? "")", change)
            }
            guard Self.anchor(anchor, fits: text) else {
                throw invalid("annotation \(id.hex) does not quote article \(articleID.hex)", change)
            }
            var annotation = AnnotationState(id: id, article: articleID, anchor: anchor)
            annotation.presence.apply(.alive, by: change)
            undo.keep(annotation: id, nil)
            annotations[id] = annotation
        case .addRevision(let articleID, let revision, let note, let body):
            guard var article = articles[articleID] else { throw missing(articleID, in: change) }
            let added = ArticleRevision(body: body, note: note, dot: change.id, time: change.time, rank: change.rank)
            if let held = article.revisions[revision], !added.precedes(held) { return }
            undo.keep(article: articleID, article)
            article.revisions[revision] = added
            articles[articleID] = article
        case .set(let entity, let field, let value):
            try check(value, of: field, on: entity, in: change)
            try edit(entity, of: field.entityKind, by: change, keepingIn: &undo) { registers, _ in
                registers[field, default: MultiValueRegister()].apply(write: value, by: change)
            }
        case .addTag(let entity, let tag):
            try edit(entity, of: nil, by: change, keepingIn: &undo) { _, tags in tags.add(tag, by: change) }
        case .removeTag(let entity, let tag):
            try edit(entity, of: nil, by: change, keepingIn: &undo) { _, tags in tags.remove(tag, by: change) }
        case .deleteAnnotation(let id), .keepAnnotation(let id):
            guard let old = annotations[id] else { throw missing(id, in: change) }
            undo.keep(annotation: id, old)
            let mark: PresenceRegister.Mark = if case .deleteAnnotation = operation { .deleted } else { .alive }
            annotations[id]!.presence.apply(mark, by: change)
        }
    }

    /// A revision must be one the article holds, and a placed anchor must fit a revision of the
    /// annotation's article (their form was checked with the change's shape).
    private func check(_ value: String, of field: Field, on entity: EntityID, in change: Change) throws(GlossCoreError) {
        switch field {
        case .revision:
            guard let article = articles[entity], let revision = ID128(hex: value), article.text(of: revision) != nil else {
                throw invalid("article \(entity.hex) holds no revision \(value)", change)
            }
        case .anchor:
            guard let annotation = annotations[entity], let article = articles[annotation.article], let placed = PlacedAnchor(value),
                placed.anchor(on: article) != nil
            else {
                throw invalid("anchor \(value) does not fit a revision of annotation \(entity.hex)'s article", change)
            }
        default:
            break
        }
    }

    /// Runs `body` on an entity's registers and tags; an annotation edit also marks it alive.
    private mutating func edit(
        _ entity: EntityID, of kind: EntityKind?, by change: Change, keepingIn undo: inout UndoLog,
        _ body: (inout [Field: MultiValueRegister], inout AddWinsSet) -> Void
    ) throws(GlossCoreError) {
        if kind != .annotation, var article = articles[entity] {
            undo.keep(article: entity, article)
            body(&article.registers, &article.tags)
            articles[entity] = article
        } else if kind != .article, var annotation = annotations[entity] {
            undo.keep(annotation: entity, annotation)
            body(&annotation.registers, &annotation.tags)
            annotation.presence.apply(.alive, by: change)
            annotations[entity] = annotation
        } else {
            throw missing(entity, in: change)
        }
    }

    /// The values entities had before a change's operations edited them (nil: it did not
    /// exist), in the order kept. Putting them back in reverse order restores each entity's
    /// value from before its first edit.
    private struct UndoLog {
        private var articles: [(EntityID, ArticleState?)] = []
        private var annotations: [(EntityID, AnnotationState?)] = []

        mutating func keep(article id: EntityID, _ value: ArticleState?) { articles.append((id, value)) }
        mutating func keep(annotation id: EntityID, _ value: AnnotationState?) { annotations.append((id, value)) }

        func restore(into state: inout ReplicaState) {
            for (id, value) in articles.reversed() { state.articles[id] = value }
            for (id, value) in annotations.reversed() { state.annotations[id] = value }
        }
    }

    /// The anchor lies inside the body and its exact text is what the body holds there.
    static func anchor(_ anchor: Anchor, fits body: String) -> Bool {
        guard anchor.start < anchor.end, anchor.end <= UInt64(Int.max) else { return false }
        // Walks the body only as far as the anchor's end: counting all of it for every new
        // annotation costs a pass over the article each.
        let scalars = body.unicodeScalars
        guard let start = scalars.index(scalars.startIndex, offsetBy: Int(anchor.start), limitedBy: scalars.endIndex),
            let end = scalars.index(start, offsetBy: Int(anchor.end - anchor.start), limitedBy: scalars.endIndex)
        else { return false }
        return scalars[start..<end].elementsEqual(anchor.exact.unicodeScalars)
    }

    private func missing(_ entity: EntityID, in change: Change) -> GlossCoreError {
        invalid("no article or annotation \(entity.hex) of the right kind", change)
    }

    private func invalid(_ message: String, _ change: Change) -> GlossCoreError {
        GlossCoreError(.invalidChange, "change \(change.id): \(message)")
    }
}
