/// Finds a quoted passage in an article body and builds its anchor.
///
/// Offsets count Unicode scalars, as the W3C TextPositionSelector does, so they mean the same
/// thing in every language that reads the stored UTF-8.
public enum QuoteAnchoring {
    /// How many characters of context the anchor keeps on each side.
    public static let contextLength = 32

    public enum Failure: Error, Hashable, Sendable {
        case emptyQuote
        case notFound
        /// The quote occurs `count` times; say which with an occurrence number.
        case ambiguous(count: Int)
        /// `--occurrence` asked for one past the `count` there are.
        case noSuchOccurrence(requested: Int, count: Int)
    }

    /// Start offsets (in scalars) of every occurrence of `quote` in `body`, overlapping ones too.
    /// An occurrence must begin and end between characters: "cafe" does not match inside
    /// "cafe\u{301}" (café with a combining accent), whose last character is "é".
    public static func occurrences(of quote: String, in body: String) -> [Int] {
        let haystack = Array(body.unicodeScalars)
        let needle = Array(quote.unicodeScalars)
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var boundaries = Set([0])
        var offset = 0
        for character in body {
            offset += character.unicodeScalars.count
            boundaries.insert(offset)
        }
        var starts: [Int] = []
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && boundaries.contains(start) && boundaries.contains(start + needle.count)
            && haystack[start..<start + needle.count].elementsEqual(needle)
        {
            starts.append(start)
        }
        return starts
    }

    /// The anchor of `quote` in `body`. With one occurrence `occurrence` may be nil; with more,
    /// it picks one, counting from 1.
    public static func anchor(quote: String, in body: String, occurrence: Int?) throws(Failure) -> Anchor {
        guard !quote.isEmpty else { throw .emptyQuote }
        let starts = occurrences(of: quote, in: body)
        guard !starts.isEmpty else { throw .notFound }
        let start: Int
        if let occurrence {
            guard occurrence >= 1, occurrence <= starts.count else {
                throw .noSuchOccurrence(requested: occurrence, count: starts.count)
            }
            start = starts[occurrence - 1]
        } else {
            guard starts.count == 1 else { throw .ambiguous(count: starts.count) }
            start = starts[0]
        }
        return anchor(start: start, end: start + quote.unicodeScalars.count, in: Array(body.unicodeScalars))!
    }

    /// The anchor of the passage at offsets `start..<end` of a body's scalars, with up to
    /// `contextLength` scalars of context on each side (SPEC §4.3): what `gloss` records, and
    /// what a receiver rebuilds from a quote sent by position (SPEC §11.4.2b). Nil when the
    /// passage is empty or runs past the body.
    public static func anchor(start: Int, end: Int, in scalars: [Unicode.Scalar]) -> Anchor? {
        guard 0 <= start, start < end, end <= scalars.count else { return nil }
        func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        return Anchor(
            exact: text(start..<end),
            prefix: text(max(0, start - contextLength)..<start),
            suffix: text(end..<min(scalars.count, end + contextLength)),
            start: UInt64(start),
            end: UInt64(end)
        )
    }
}
