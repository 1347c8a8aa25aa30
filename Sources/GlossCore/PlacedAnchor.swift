/// Where a person placed an annotation by hand (`gloss reanchor`): a span of one revision of
/// its article, written to the annotation's `anchor` field as text, for example
/// `"5d41402abc4b2a76b9719d911017c592 120 135"`: the revision's id in lowercase hex, then the
/// start and end offsets in Unicode scalars, in decimal without leading zeros, single spaces
/// between. Only offsets travel: the quote and its context are read from the revision's text,
/// which every replica holds.
public struct PlacedAnchor: Hashable, Sendable {
    public let revision: EntityID
    public let start: UInt64
    public let end: UInt64

    public init(revision: EntityID, start: UInt64, end: UInt64) {
        self.revision = revision
        self.start = start
        self.end = end
    }

    /// Parses the field's text; nil unless it is exactly in the form `text` writes, with
    /// `start < end`.
    public init?(_ text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, let revision = ID128(hex: String(parts[0])), revision.hex == parts[0],
            let start = Self.number(parts[1]), let end = Self.number(parts[2]), start < end
        else { return nil }
        self.init(revision: revision, start: start, end: end)
    }

    /// The field's text.
    public var text: String { "\(revision.hex) \(start) \(end)" }

    /// A decimal number in its one form: digits only, no leading zero (except "0" itself).
    private static func number(_ digits: Substring) -> UInt64? {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }), digits == "0" || digits.first != "0" else { return nil }
        return UInt64(digits)
    }

    /// The anchor this places on `article`: the revision's text at the offsets, with context
    /// as `gloss` records it (`QuoteAnchoring.anchor(start:end:in:)`). Nil when the article
    /// does not hold the revision or the offsets do not fit its text.
    public func anchor(on article: ArticleState) -> Anchor? {
        guard let text = article.text(of: revision), let start = Int(exactly: start), let end = Int(exactly: end) else { return nil }
        let scalars = Array(text.unicodeScalars)
        guard var anchor = QuoteAnchoring.anchor(start: start, end: end, in: scalars) else { return nil }
        anchor.revision = revision == article.id ? nil : revision
        return anchor
    }
}

extension Change {
    /// True when the change places an annotation by hand (writes an `anchor` field), which
    /// reads the annotation's article.
    public var placesAnchors: Bool {
        operations.contains { if case .set(_, .anchor, _) = $0 { true } else { false } }
    }
}
