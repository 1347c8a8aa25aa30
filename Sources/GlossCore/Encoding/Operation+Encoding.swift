/// The kind byte that starts each encoded operation (format 1).
public enum OperationKind: UInt8, Sendable {
    case createArticle = 0x01
    case createAnnotation = 0x02
    case set = 0x03
    case addTag = 0x04
    case removeTag = 0x05
    case deleteAnnotation = 0x06
    case keepAnnotation = 0x07
    case addRevision = 0x08
    /// `createAnnotation` on a later revision of its article: the revision's id after the article's.
    case createAnnotationOnRevision = 0x09

    /// The smallest encoded operation: a kind byte and an id (`deleteAnnotation`, `keepAnnotation`).
    public static let minimumOperationSize = 17
}

extension Field {
    /// The byte that names the field in a `set` operation (format 1).
    public var wireCode: UInt8 {
        switch self {
        case .title: 1
        case .source: 2
        case .note: 3
        case .color: 4
        case .archived: 5
        case .revision: 6
        case .anchor: 7
        }
    }

    public init?(wireCode: UInt8) {
        switch wireCode {
        case 1: self = .title
        case 2: self = .source
        case 3: self = .note
        case 4: self = .color
        case 5: self = .archived
        case 6: self = .revision
        case 7: self = .anchor
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
    ///     0x08 addRevision       article id, revision id, note, body
    ///     0x09 createAnnotation  id, article id, revision id, exact, prefix, suffix, start, end
    ///          (on a later revision)
    public mutating func writeOperation(_ operation: Operation) {
        switch operation {
        case .createArticle(let id, let body):
            writeU8(OperationKind.createArticle.rawValue)
            writeID(id)
            writeString(body)
        case .createAnnotation(let id, let article, let anchor):
            writeU8((anchor.revision == nil ? OperationKind.createAnnotation : .createAnnotationOnRevision).rawValue)
            writeID(id)
            writeID(article)
            if let revision = anchor.revision { writeID(revision) }
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
        case .addRevision(let article, let revision, let note, let body):
            writeU8(OperationKind.addRevision.rawValue)
            writeID(article)
            writeID(revision)
            writeString(note)
            writeString(body)
        }
    }
}
