/// Operations and anchors are equal when their text is equal byte for byte, so a change that
/// differs from a held one only in Unicode normalization is still a different change (and an
/// equivocation when it reuses the dot).
extension Anchor {
    public static func == (lhs: Anchor, rhs: Anchor) -> Bool {
        lhs.start == rhs.start && lhs.end == rhs.end && lhs.exact.isByteEqual(to: rhs.exact)
            && lhs.prefix.isByteEqual(to: rhs.prefix) && lhs.suffix.isByteEqual(to: rhs.suffix)
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
        case let (.createArticle(a, textA), .createArticle(b, textB)):
            a == b && textA.isByteEqual(to: textB)
        case let (.createAnnotation(a, articleA, anchorA), .createAnnotation(b, articleB, anchorB)):
            a == b && articleA == articleB && anchorA == anchorB
        case let (.set(a, fieldA, valueA), .set(b, fieldB, valueB)):
            a == b && fieldA == fieldB && valueA.isByteEqual(to: valueB)
        case let (.addTag(a, tagA), .addTag(b, tagB)), let (.removeTag(a, tagA), .removeTag(b, tagB)):
            a == b && tagA.isByteEqual(to: tagB)
        case let (.deleteAnnotation(a), .deleteAnnotation(b)), let (.keepAnnotation(a), .keepAnnotation(b)):
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
        case .set(_, let field, let value): hasher.combine(field); hasher.combine(ExactText(value))
        case .addTag(_, let tag): hasher.combine(4); hasher.combine(ExactText(tag))
        case .removeTag(_, let tag): hasher.combine(5); hasher.combine(ExactText(tag))
        case .deleteAnnotation: hasher.combine(6)
        case .keepAnnotation: hasher.combine(7)
        }
    }
}
