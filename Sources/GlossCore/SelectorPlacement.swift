/// A text selector as annotation tools exchange them: the W3C TextQuoteSelector (the quote and
/// some context each side) and, when known, a TextPositionSelector (scalar offsets).
public struct TextSelector: Hashable, Sendable {
    public var exact: String
    public var prefix: String
    public var suffix: String
    public var position: Range<Int>?

    public init(exact: String, prefix: String = "", suffix: String = "", position: Range<Int>? = nil) {
        self.exact = exact
        self.prefix = prefix
        self.suffix = suffix
        self.position = position
    }
}

/// Where a selector made elsewhere lands in an article's text: a pure, deterministic function,
/// so every replica that imports the same annotation places it alike. It never guesses: a
/// quote it cannot place with confidence is `orphaned`, with the reason.
///
/// 1. `exact`: the position is inside the text and the text there is the quote
///    (and the context agrees, as below).
/// 2. Otherwise the quote's matches (`QuoteAnchoring.matches`: exact occurrences, else
///    forgiving ones, SPEC §4.3.1) whose context agrees: the text before ends with the
///    selector's prefix, or the text after begins with its suffix (as far as the article goes;
///    a selector without context agrees anywhere). Exactly one: `moved` there.
/// 3. Else `orphaned`: not found, found only where the context disagrees, or ambiguous.
public enum SelectorPlacement {
    public enum Placement: Hashable, Sendable {
        case exact(Range<Int>)
        case moved(Range<Int>)
        case orphaned(Orphan)

        /// The scalar range placed, nil for an orphan.
        public var range: Range<Int>? {
            switch self {
            case .exact(let range), .moved(let range): range
            case .orphaned: nil
            }
        }
    }

    public enum Orphan: Hashable, Sendable {
        case emptyQuote
        case notFound
        /// The quote matches `count` times and its context does not tell them apart.
        case ambiguous(count: Int)
        /// The quote matches `count` times, and its context agrees with none of them: another
        /// passage that happens to hold the same words.
        case contextDiffers(count: Int)
    }

    public static func place(_ selector: TextSelector, in body: String) -> Placement {
        guard !selector.exact.unicodeScalars.allSatisfy(\.properties.isWhitespace) else { return .orphaned(.emptyQuote) }
        let scalars = Array(body.unicodeScalars)
        let quote = Array(selector.exact.unicodeScalars)
        let prefix = Array(selector.prefix.unicodeScalars)
        let suffix = Array(selector.suffix.unicodeScalars)
        /// The context agrees around `match`: no context was given, or a side that was given
        /// matches as far as the text goes (a tool's context may differ on one side, where it
        /// saw the page's text around the article's).
        func fits(_ match: Range<Int>) -> Bool {
            guard !prefix.isEmpty || !suffix.isEmpty else { return true }
            let before = scalars[max(0, match.lowerBound - prefix.count)..<match.lowerBound]
            let after = scalars[match.upperBound..<min(scalars.count, match.upperBound + suffix.count)]
            return (!prefix.isEmpty && prefix.suffix(before.count).elementsEqual(before))
                || (!suffix.isEmpty && suffix.prefix(after.count).elementsEqual(after))
        }
        if let position = selector.position, position.lowerBound >= 0, position.upperBound <= scalars.count,
            position.count == quote.count, scalars[position].elementsEqual(quote),
            QuoteAnchoring.occurrences(of: selector.exact, in: body).contains(position.lowerBound), fits(position)
        {
            return .exact(position)
        }
        let found = QuoteAnchoring.matches(of: selector.exact, in: body)
        guard !found.isEmpty else { return .orphaned(.notFound) }
        let fitting = found.filter(fits)
        if fitting.count == 1 { return .moved(fitting[0]) }
        return .orphaned(fitting.isEmpty ? .contextDiffers(count: found.count) : .ambiguous(count: found.count))
    }
}
