/// A field that holds a multi-value register: concurrent writes are kept side by side.
public enum Field: String, CaseIterable, Sendable, Hashable, Comparable {
    case title, source, note, color
    /// An article put away: hidden from lists, kept and synced. A non-empty value archives it;
    /// `gloss archive` writes `yes`, and `gloss unarchive` the empty string.
    case archived
    /// An article's current revision: the lowercase hex id of one of its texts (its own id for
    /// the text it was imported with). `gloss revise` writes it; two revisions made at once are
    /// a conflict of this field.
    case revision
    /// Where a person placed an annotation by hand (`gloss reanchor`), as `PlacedAnchor` text:
    /// a revision id, a start and an end. It overrides the anchor the annotation was made with.
    case anchor

    /// Which kind of entity carries the field.
    public var entityKind: EntityKind {
        switch self {
        case .title, .source, .archived, .revision: .article
        case .note, .color, .anchor: .annotation
        }
    }

    /// Written only by their own commands, in a form the model checks (`revision`, `anchor`):
    /// not a free-text field a person edits.
    public var isStructured: Bool { self == .revision || self == .anchor }

    public static func < (lhs: Field, rhs: Field) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum EntityKind: String, Sendable, Hashable {
    case article, annotation
}

/// Where a highlight sits, in the shape of the W3C Web Annotation selectors: a
/// TextQuoteSelector (`exact` with up to 32 characters of `prefix` and `suffix`) and a
/// TextPositionSelector (`start` and `end` offsets in Unicode scalars of the article text).
///
/// The text is the article's first, unless `revision` names a later revision of it (never the
/// first: its id is the article's, and nil says that).
public struct Anchor: Hashable, Sendable {  // == and hash: Operation+Equality.swift
    public var exact: String
    public var prefix: String
    public var suffix: String
    public var start: UInt64
    public var end: UInt64
    public var revision: EntityID?

    public init(exact: String, prefix: String, suffix: String, start: UInt64, end: UInt64, revision: EntityID? = nil) {
        self.exact = exact
        self.prefix = prefix
        self.suffix = suffix
        self.start = start
        self.end = end
        self.revision = revision
    }
}

/// One edit inside a change. A change applies all of its operations or none.
public enum Operation: Hashable, Sendable {  // == and hash: Operation+Equality.swift
    /// Brings an article into the store. The id must be `ArticleText.id(of: body)`, so the same
    /// text imported on two replicas is one article.
    case createArticle(id: EntityID, body: String)
    /// Adds a later text of an article. `revision` must be `ArticleText.id(of: body)` and not
    /// the article's own id; the same text added twice is one revision. `note` says why
    /// (it may be empty). Which revision is current is the article's `revision` field.
    case addRevision(article: EntityID, revision: EntityID, note: String, body: String)
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
            .keepAnnotation(let id), .addRevision(let id, _, _, _):
            id
        case .set(let entity, _, _), .addTag(let entity, _), .removeTag(let entity, _):
            entity
        }
    }
}
