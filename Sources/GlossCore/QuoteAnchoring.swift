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
        /// The quote occurs `count` times; say which with an occurrence number. `contexts` shows
        /// the first few on one line each, the quote in «».
        case ambiguous(count: Int, contexts: [String])
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

    /// Where `quote` is in `body`, as scalar ranges: its exact occurrences (`occurrences(of:in:)`)
    /// if it has any, else where it matches forgivingly (`ForgivingQuote`, SPEC §4.3.1).
    public static func matches(of quote: String, in body: String) -> [Range<Int>] {
        let length = quote.unicodeScalars.count
        let exact = occurrences(of: quote, in: body).map { $0..<$0 + length }
        return exact.isEmpty ? ForgivingQuote.matches(of: quote, in: body) : exact
    }

    /// The anchor of `quote` in `body`, made of the body's own text where the quote matches
    /// (`matches(of:in:)`). With one match `occurrence` may be nil; with more, it picks one,
    /// counting from 1.
    public static func anchor(quote: String, in body: String, occurrence: Int?) throws(Failure) -> Anchor {
        guard !quote.unicodeScalars.allSatisfy(\.properties.isWhitespace) else { throw .emptyQuote }
        let found = matches(of: quote, in: body)
        guard !found.isEmpty else { throw .notFound }
        let range: Range<Int>
        if let occurrence {
            guard occurrence >= 1, occurrence <= found.count else {
                throw .noSuchOccurrence(requested: occurrence, count: found.count)
            }
            range = found[occurrence - 1]
        } else {
            guard found.count == 1 else { throw .ambiguous(count: found.count, contexts: contexts(of: found, in: body)) }
            range = found[0]
        }
        return anchor(start: range.lowerBound, end: range.upperBound, in: Array(body.unicodeScalars))!
    }

    /// For each match, up to four words of the body on each side of it, on one line, the match
    /// in «»: what a person reads to pick an occurrence. At most `contextsShown` of them.
    static func contexts(of ranges: [Range<Int>], in body: String) -> [String] {
        let scalars = Array(body.unicodeScalars)
        func words(_ range: Range<Int>) -> [Substring] {
            String(String.UnicodeScalarView(scalars[range])).split(whereSeparator: \.isWhitespace)
        }
        func isSpace(_ offset: Int) -> Bool { scalars.indices.contains(offset) && scalars[offset].properties.isWhitespace }
        return ranges.prefix(contextsShown).map { range in
            let (from, to) = (max(0, range.lowerBound - 40), min(scalars.count, range.upperBound + 40))
            // A word the window cuts in two is left out, as is anything past four words.
            var before = words(from..<range.lowerBound)
            if from > 0, !isSpace(from - 1), !isSpace(from), !before.isEmpty { before.removeFirst() }
            var after = words(range.upperBound..<to)
            if to < scalars.count, !isSpace(to), !isSpace(to - 1), !after.isEmpty { after.removeLast() }
            let left = before.suffix(4).joined(separator: " ")
            let right = after.prefix(4).joined(separator: " ")
            let leftGap = isSpace(range.lowerBound - 1) && !left.isEmpty ? " " : ""
            let rightGap = isSpace(range.upperBound) && !right.isEmpty ? " " : ""
            let quote = words(range).joined(separator: " ")
            let (open, close) = (from > 0 || before.count > 4 ? "…" : "", to < scalars.count || after.count > 4 ? "…" : "")
            return open + left + leftGap + "«" + quote + "»" + rightGap + right + close
        }
    }

    /// "[1] …context…  [2] …context…", and "and N more" past those listed: one line.
    public static func numbered(_ contexts: [String], of count: Int) -> String {
        let listed = contexts.enumerated().map { "[\($0.offset + 1)] \($0.element)" }.joined(separator: "  ")
        return count > contexts.count ? listed + "  and \(count - contexts.count) more" : listed
    }

    /// How many occurrences an ambiguous quote lists.
    public static let contextsShown = 5

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
