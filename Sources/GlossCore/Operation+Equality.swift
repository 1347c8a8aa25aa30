/// Operations and anchors are equal when their text is equal byte for byte, so a change that
/// differs from a held one only in Unicode normalization is still a different change (and an
/// equivocation when it reuses the dot).
extension Anchor {
    public static func == (lhs: Anchor, rhs: Anchor) -> Bool {
        lhs.start == rhs.start && lhs.end == rhs.end && lhs.exact.isByteEqual(to: rhs.exact)
            && lhs.prefix.isByteEqual(to: rhs.prefix) && lhs.suffix.isByteEqual(to: rhs.suffix) && lhs.revision == rhs.revision
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(start)
        hasher.combine(end)
        hasher.combine(ExactText(exact))
    }
}

extension Operation {
    public static func == (lhs: Operation, rhs: Operation) -> Bool {
        switch (lhs, rhs) {
        case (.createArticle(let a, let textA), .createArticle(let b, let textB)):
            a == b && textA.isByteEqual(to: textB)
        case (.addRevision(let a, let revisionA, let noteA, let bodyA), .addRevision(let b, let revisionB, let noteB, let bodyB)):
            a == b && revisionA == revisionB && noteA.isByteEqual(to: noteB) && bodyA.isByteEqual(to: bodyB)
        case (.createAnnotation(let a, let articleA, let anchorA), .createAnnotation(let b, let articleB, let anchorB)):
            a == b && articleA == articleB && anchorA == anchorB
        case (.set(let a, let fieldA, let valueA), .set(let b, let fieldB, let valueB)):
            a == b && fieldA == fieldB && valueA.isByteEqual(to: valueB)
        case (.addTag(let a, let tagA), .addTag(let b, let tagB)), (.removeTag(let a, let tagA), .removeTag(let b, let tagB)):
            a == b && tagA.isByteEqual(to: tagB)
        case (.deleteAnnotation(let a), .deleteAnnotation(let b)), (.keepAnnotation(let a), .keepAnnotation(let b)):
            a == b
        default:
            false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entity)
        switch self {
        case .createArticle: hasher.combine(1)
        case .createAnnotation: hasher.combine(2)
        case .set(_, let field, let value):
            hasher.combine(field)
            hasher.combine(ExactText(value))
        case .addTag(_, let tag):
            hasher.combine(4)
            hasher.combine(ExactText(tag))
        case .removeTag(_, let tag):
            hasher.combine(5)
            hasher.combine(ExactText(tag))
        case .deleteAnnotation: hasher.combine(6)
        case .keepAnnotation: hasher.combine(7)
        case .addRevision(_, let revision, _, _):
            hasher.combine(8)
            hasher.combine(revision)
        }
    }
}
