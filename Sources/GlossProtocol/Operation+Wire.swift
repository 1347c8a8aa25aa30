import GlossCore

/// The kind byte that starts each encoded operation (format 1).
enum OperationKind: UInt8 {
    case createArticle = 0x01
    case createAnnotation = 0x02
    case set = 0x03
    case addTag = 0x04
    case removeTag = 0x05
    case deleteAnnotation = 0x06
    case keepAnnotation = 0x07

    /// The smallest encoded operation: a kind byte and an id (`deleteAnnotation`, `keepAnnotation`).
    static let minimumOperationSize = 17
}

extension Field {
    /// The byte that names the field in a `set` operation (format 1).
    var wireCode: UInt8 {
        switch self {
        case .title: 1
        case .source: 2
        case .note: 3
        case .color: 4
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 1: self = .title
        case 2: self = .source
        case 3: self = .note
        case 4: self = .color
        default: return nil
        }
    }
}

extension WireWriter {
    /// Writes the kind byte, then the operation's fields in the order SPEC.md lists them:
    ///
    ///     0x01 createArticle     id, body
    ///     0x02 createAnnotation  id, article id, exact, prefix, suffix, start, end
    ///     0x03 set               entity id, field u8, value
    ///     0x04 addTag            entity id, tag
    ///     0x05 removeTag         entity id, tag
    ///     0x06 deleteAnnotation  id
    ///     0x07 keepAnnotation    id
    public mutating func writeOperation(_ operation: Operation) {
        switch operation {
        case .createArticle(let id, let body):
            writeU8(OperationKind.createArticle.rawValue)
            writeID(id)
            writeString(body)
        case .createAnnotation(let id, let article, let anchor):
            writeU8(OperationKind.createAnnotation.rawValue)
            writeID(id)
            writeID(article)
            writeString(anchor.exact)
            writeString(anchor.prefix)
            writeString(anchor.suffix)
            writeVarint(anchor.start)
            writeVarint(anchor.end)
        case .set(let entity, let field, let value):
            writeU8(OperationKind.set.rawValue)
            writeID(entity)
            writeU8(field.wireCode)
            writeString(value)
        case .addTag(let entity, let tag):
            writeU8(OperationKind.addTag.rawValue)
            writeID(entity)
            writeString(tag)
        case .removeTag(let entity, let tag):
            writeU8(OperationKind.removeTag.rawValue)
            writeID(entity)
            writeString(tag)
        case .deleteAnnotation(let id):
            writeU8(OperationKind.deleteAnnotation.rawValue)
            writeID(id)
        case .keepAnnotation(let id):
            writeU8(OperationKind.keepAnnotation.rawValue)
            writeID(id)
        }
    }
}

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
                "expected an operation kind from 0x01 to 0x07, found 0x\(hex(kindByte))", at: start)
        }
        switch kind {
        case .createArticle:
            let id = try readID("an article id")
            let body = try readString("an article body")
            return .createArticle(id: id, body: body)
        case .createAnnotation:
            let id = try readID("an annotation id")
            let article = try readID("the annotated article's id")
            let exact = try readString("the quoted text")
            let prefix = try readString("the text before the quote")
            let suffix = try readString("the text after the quote")
            let startOffset = try readVarint("the quote's start offset")
            let endOffset = try readVarint("the quote's end offset")
            let anchor = Anchor(exact: exact, prefix: prefix, suffix: suffix, start: startOffset, end: endOffset)
            return .createAnnotation(id: id, article: article, anchor: anchor)
        case .set:
            let entity = try readID("the id of the entity to set")
            let fieldStart = offset
            let fieldByte = try readU8("a field")
            guard let field = Field(wireCode: fieldByte) else {
                throw ProtocolError(
                    .unknownField, "expected a field from 1 to 4, found \(fieldByte)", at: fieldStart)
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
        }
    }
}
