/// A field that holds a multi-value register: concurrent writes are kept side by side.
public enum Field: String, CaseIterable, Sendable, Hashable, Comparable {
    case title, source, note, color
    /// An article put away: hidden from lists, kept and synced. A non-empty value archives it;
    /// `gloss archive` writes `yes`, and `gloss unarchive` the empty string.
    case archived

    /// Which kind of entity carries the field.
    public var entityKind: EntityKind {
        switch self {
        case .title, .source, .archived: .article
        case .note, .color: .annotation
        }
    }

    public static func < (lhs: Field, rhs: Field) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum EntityKind: String, Sendable, Hashable {
    case article, annotation
}

/// Where a highlight sits, in the shape of the W3C Web Annotation selectors: a
/// TextQuoteSelector (`exact` with up to 32 characters of `prefix` and `suffix`) and a
/// TextPositionSelector (`start` and `end` offsets in Unicode scalars of the article body).
public struct Anchor: Hashable, Sendable {  // == and hash: Operation+Equality.swift
    public var exact: String
    public var prefix: String
    public var suffix: String
    public var start: UInt64
    public var end: UInt64

    public init(exact: String, prefix: String, suffix: String, start: UInt64, end: UInt64) {
        self.exact = exact
        self.prefix = prefix
        self.suffix = suffix
        self.start = start
        self.end = end
    }
}

/// One edit inside a change. A change applies all of its operations or none.
public enum Operation: Hashable, Sendable {  // == and hash: Operation+Equality.swift
    /// Brings an article into the store. The id must be `ArticleText.id(of: body)`, so the same
    /// text imported on two replicas is one article.
    case createArticle(id: EntityID, body: String)
    /// Adds an annotation. The id must be `ID128.annotation(createdAt: change.id, index:)`.
    case createAnnotation(id: EntityID, article: EntityID, anchor: Anchor)
    /// Writes a register field, superseding every value of it the author had seen.
    case set(entity: EntityID, field: Field, value: String)
    /// Adds a tag; the add wins over any remove that had not seen it.
    case addTag(entity: EntityID, tag: String)
    /// Removes the adds of a tag that the author had seen.
    case removeTag(entity: EntityID, tag: String)
    /// Deletes an annotation as far as the author had seen it: a concurrent edit keeps it alive.
    case deleteAnnotation(id: EntityID)
    /// Settles a delete-vs-edit conflict by keeping the annotation.
    case keepAnnotation(id: EntityID)

    /// The entity the operation touches.
    public var entity: EntityID {
        switch self {
        case .createArticle(let id, _), .createAnnotation(let id, _, _), .deleteAnnotation(let id),
            .keepAnnotation(let id):
            id
        case .set(let entity, _, _), .addTag(let entity, _), .removeTag(let entity, _):
            entity
        }
    }
}
