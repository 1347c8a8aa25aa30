/// Quotes sent by position (SPEC §11.4.2b): an anchor whose quote and context are exactly what
/// its article's text holds at its offsets travels with `exact`, `prefix` and `suffix` empty,
/// and the receiver rebuilds them from the article. A quote is often most of an annotation's
/// bytes; the receiver holds the article already, or gets it in the same batch.
///
/// Only an anchor the rebuild gives back byte for byte is sent so (a writer may have recorded
/// other context, SPEC §4.3), so what is signed and stored is never changed.
extension Anchor {
    /// The wire form of an anchor sent by position.
    public static func byPosition(start: UInt64, end: UInt64) -> Anchor {
        Anchor(exact: "", prefix: "", suffix: "", start: start, end: end)
    }

    /// True for the wire form: no anchor a change may hold has an empty `exact` (SPEC §4.10).
    public var isByPosition: Bool { exact.isEmpty && prefix.isEmpty && suffix.isEmpty }
}

/// Article texts as arrays of Unicode scalars, looked up by id: from a batch's own
/// `createArticle` operations first, then from `held` (a store), each read once.
public struct ArticleScalars {
    private var known: [EntityID: [Unicode.Scalar]] = [:]
    private let held: (EntityID) throws -> String?

    public init(held: @escaping (EntityID) throws -> String?) {
        self.held = held
    }

    /// Notes the articles `changes` create, so that their annotations in the same batch find them.
    public mutating func learn(from changes: [Change]) {
        for change in changes {
            for case .createArticle(let id, let body) in change.operations where known[id] == nil {
                known[id] = Array(body.unicodeScalars)
            }
        }
    }

    public mutating func scalars(of article: EntityID) throws -> [Unicode.Scalar]? {
        if let scalars = known[article] { return scalars }
        guard let body = try held(article) else { return nil }
        let scalars = Array(body.unicodeScalars)
        known[article] = scalars
        return scalars
    }
}

extension Change {
    /// This change with each anchor its article's text rebuilds exactly put in its wire form
    /// by position; other anchors, and anchors of articles `articles` lacks, unchanged.
    public func sendingQuotesByPosition(_ articles: inout ArticleScalars) throws -> Change {
        guard operations.contains(where: { if case .createAnnotation = $0 { true } else { false } }) else { return self }
        var operations = self.operations
        for (index, operation) in operations.enumerated() {
            guard case .createAnnotation(let id, let article, let anchor) = operation, !anchor.isByPosition,
                let scalars = try articles.scalars(of: article),
                let start = Int(exactly: anchor.start), let end = Int(exactly: anchor.end),
                QuoteAnchoring.anchor(start: start, end: end, in: scalars) == anchor
            else { continue }
            operations[index] = .createAnnotation(id: id, article: article, anchor: .byPosition(start: anchor.start, end: anchor.end))
        }
        return Change(id: id, dependencies: dependencies, time: time, operations: operations)
    }

    /// This change with every anchor sent by position rebuilt from its article's text. Refused
    /// (`invalidChange`) when the article is not in `articles`, or the offsets do not fit it.
    public func restoringQuotes(_ articles: inout ArticleScalars) throws -> Change {
        guard hasQuotesByPosition else { return self }
        var operations = self.operations
        for (index, operation) in operations.enumerated() {
            guard case .createAnnotation(let id, let article, let anchor) = operation, anchor.isByPosition else { continue }
            guard let scalars = try articles.scalars(of: article) else {
                throw GlossCoreError(
                    .invalidChange,
                    "change \(self.id): annotation \(id.hex) quotes article \(article.hex) by position, and this replica does not hold that article"
                )
            }
            guard let start = Int(exactly: anchor.start), let end = Int(exactly: anchor.end),
                let rebuilt = QuoteAnchoring.anchor(start: start, end: end, in: scalars)
            else {
                throw GlossCoreError(
                    .invalidChange,
                    "change \(self.id): annotation \(id.hex) quotes characters \(anchor.start)–\(anchor.end) of article \(article.hex), which has \(scalars.count)"
                )
            }
            operations[index] = .createAnnotation(id: id, article: article, anchor: rebuilt)
        }
        return Change(id: id, dependencies: dependencies, time: time, operations: operations)
    }

    /// True when the change holds an anchor sent by position.
    public var hasQuotesByPosition: Bool {
        operations.contains { if case .createAnnotation(_, _, let anchor) = $0 { anchor.isByPosition } else { false } }
    }
}
