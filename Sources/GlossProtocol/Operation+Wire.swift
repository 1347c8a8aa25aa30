import GlossCore

extension WireReader {
    /// Reads one operation; an undefined kind byte is `.unknownOperation`, an undefined field
    /// byte `.unknownField`. Model rules (ids derived correctly, anchors in order) are not
    /// checked here: `Change.validateShape()` does that.
    public mutating func readOperation() throws(ProtocolError) -> Operation {
        let start = offset
        let kindByte = try readU8("an operation kind")
        guard let kind = OperationKind(rawValue: kindByte) else {
            throw ProtocolError(
                .unknownOperation,
                "expected an operation kind from 0x01 to 0x09, found 0x\(hex(kindByte))", at: start)
        }
        switch kind {
        case .createArticle:
            let id = try readID("an article id")
            let body = try readString("an article body")
            return .createArticle(id: id, body: body)
        case .createAnnotation, .createAnnotationOnRevision:
            let id = try readID("an annotation id")
            let article = try readID("the annotated article's id")
            let revision = kind == .createAnnotationOnRevision ? try readID("the annotated revision's id") : nil
            let exact = try readString("the quoted text")
            let prefix = try readString("the text before the quote")
            let suffix = try readString("the text after the quote")
            let startOffset = try readVarint("the quote's start offset")
            let endOffset = try readVarint("the quote's end offset")
            let anchor = Anchor(exact: exact, prefix: prefix, suffix: suffix, start: startOffset, end: endOffset, revision: revision)
            return .createAnnotation(id: id, article: article, anchor: anchor)
        case .set:
            let entity = try readID("the id of the entity to set")
            let fieldStart = offset
            let fieldByte = try readU8("a field")
            guard let field = Field(wireCode: fieldByte) else {
                throw ProtocolError(
                    .unknownField, "expected a field from 1 to 7, found \(fieldByte)", at: fieldStart)
            }
            let value = try readString("the value of \(field.rawValue)")
            return .set(entity: entity, field: field, value: value)
        case .addTag:
            let entity = try readID("the id of the entity to tag")
            return .addTag(entity: entity, tag: try readString("a tag"))
        case .removeTag:
            let entity = try readID("the id of the entity to untag")
            return .removeTag(entity: entity, tag: try readString("a tag"))
        case .deleteAnnotation:
            return .deleteAnnotation(id: try readID("the id of the annotation to delete"))
        case .keepAnnotation:
            return .keepAnnotation(id: try readID("the id of the annotation to keep"))
        case .addRevision:
            let article = try readID("the revised article's id")
            let revision = try readID("a revision id")
            let note = try readString("a revision note")
            return .addRevision(article: article, revision: revision, note: note, body: try readString("a revision's text"))
        }
    }
}
