extension Change {
    /// Checks the rules a change must follow whatever state it meets: a sequence number from 1,
    /// at least one operation, no U+0000 in any text (SQLite's text columns, and C strings
    /// everywhere, would cut it short), at most one write per field and per tag, ids derived as
    /// the model says, and no delete mixed with other edits of the same annotation.
    public func validateShape() throws(GlossCoreError) {
        guard id.seq >= 1 else { throw invalid("sequence numbers start at 1") }
        guard !operations.isEmpty else { throw invalid("a change needs at least one operation") }
        var writtenFields: Set<FieldKey> = []
        var touchedTags: Set<TagKey> = []
        var deleted: Set<EntityID> = []
        var edited: Set<EntityID> = []
        var addedRevisions: Set<[EntityID]> = []
        for (index, operation) in operations.enumerated() {
            if let text = operation.texts.first(where: { $0.utf8.contains(0) }) {
                throw invalid("text may not contain U+0000 (found in \"\(text.prefix(20))…\")")
            }
            switch operation {
            case .createArticle(let articleID, let body):
                guard ArticleText.id(of: body) == articleID else {
                    throw invalid("article id \(articleID.hex) does not match its text")
                }
            case .createAnnotation(let annotationID, let article, let anchor):
                guard annotationID == ID128.annotation(createdAt: id, index: index) else {
                    throw invalid("annotation id \(annotationID.hex) is not derived from its change")
                }
                guard anchor.start <= anchor.end, !anchor.exact.isEmpty else {
                    throw invalid("annotation \(annotationID.hex) has an empty or reversed anchor")
                }
                guard anchor.revision != article else {
                    throw invalid("annotation \(annotationID.hex) names its article's first text as a revision")
                }
                edited.insert(annotationID)
            case .addRevision(let article, let revision, _, let body):
                guard ArticleText.id(of: body) == revision else {
                    throw invalid("revision id \(revision.hex) does not match its text")
                }
                guard revision != article else { throw invalid("revision \(revision.hex) is article \(article.hex)'s first text") }
                guard addedRevisions.insert([article, revision]).inserted else { throw invalid("revision \(revision.hex) is added twice") }
            case .set(let entity, let field, let value):
                guard writtenFields.insert(FieldKey(entity: entity, field: field)).inserted else {
                    throw invalid("field \(field.rawValue) of \(entity.hex) is written twice")
                }
                if field == .revision, ID128(hex: value)?.hex != value {
                    throw invalid("revision of \(entity.hex) is not a revision id (32 lowercase hex digits): \"\(value.prefix(40))\"")
                }
                if field == .anchor, PlacedAnchor(value) == nil {
                    throw invalid("anchor of \(entity.hex) is not a revision id, a start and an end: \"\(value.prefix(80))\"")
                }
                edited.insert(entity)
            case .addTag(let entity, let tag), .removeTag(let entity, let tag):
                guard !tag.isEmpty else { throw invalid("empty tag on \(entity.hex)") }
                guard touchedTags.insert(TagKey(entity: entity, tag: tag)).inserted else {
                    throw invalid("tag \(tag) of \(entity.hex) is touched twice")
                }
                edited.insert(entity)
            case .deleteAnnotation(let entity):
                guard deleted.insert(entity).inserted else { throw invalid("\(entity.hex) deleted twice") }
            case .keepAnnotation(let entity):
                edited.insert(entity)
            }
        }
        if let both = deleted.intersection(edited).first {
            throw invalid("annotation \(both.hex) is deleted and edited in one change")
        }
    }

    private func invalid(_ message: String) -> GlossCoreError {
        GlossCoreError(.invalidChange, "change \(id): \(message)")
    }
}

struct FieldKey: Hashable {
    let entity: EntityID
    let field: Field
}

struct TagKey: Hashable {
    let entity: EntityID
    let tag: ExactText

    init(entity: EntityID, tag: String) {
        self.entity = entity
        self.tag = ExactText(tag)
    }
}

extension Operation {
    /// Every string the operation carries.
    var texts: [String] {
        switch self {
        case .createArticle(_, let body): [body]
        case .addRevision(_, _, let note, let body): [note, body]
        case .createAnnotation(_, _, let anchor): [anchor.exact, anchor.prefix, anchor.suffix]
        case .set(_, _, let value): [value]
        case .addTag(_, let tag), .removeTag(_, let tag): [tag]
        case .deleteAnnotation, .keepAnnotation: []
        }
    }
}
