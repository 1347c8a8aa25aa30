/// Where an annotation made on one revision of an article's text lies in another revision: a
/// pure, deterministic function, so every replica shows the same. Gloss holds both texts, so
/// it follows the text through the edit (a diff) instead of searching for the quote blindly,
/// and says plainly when it cannot place it.
///
/// The result has exactly one state:
/// - `exact`: the edit left the quote at the same offsets;
/// - `moved`: the quote, whole, is elsewhere: where the edit carried it, or (when the edit did not
///   carry it, as when a paragraph moved) where it and its context are found once;
/// - `fuzzy`: the edit changed the quoted text (a figure corrected, a word replaced, a typo
///   fixed); the new passage is where the edit carried the old one, and `score`, the similarity
///   of old and new quote (1 − edit distance / longer length, in scalars), is at least
///   `fuzzyThreshold` (or the edit kept the quote's first and last tokens and at least
///   `keptShareBetweenKeptEdges` of it, or replaced one word of letters by one, at least
///   `oneWordThreshold` alike);
/// - `orphaned`: none of these with confidence. An orphan is never drawn at a guessed place.
///
/// How the edit carries a passage: both texts are cut into tokens (runs of letters and digits;
/// every other scalar alone) and diffed (`TokenDiff`: Myers, with its tie-breaking stated).
/// The quote's start and end follow the tokens the diff keeps; an end inside a replaced run of
/// tokens goes to that run's edge in the new text. `Edit` holds one diff, for all the anchors
/// of an article. Every decision is an integer comparison, so implementations that follow
/// Protocol/SPEC.md §4.12.1 agree at the boundaries too (Protocol/test-vectors/reanchoring/).
public enum Reanchoring {
    public enum State: String, Hashable, Sendable, CaseIterable {
        case exact, moved, fuzzy, orphaned
    }

    public struct Result: Hashable, Sendable {
        public let state: State
        /// Scalar offsets in the new text; nil for an orphan.
        public let range: Range<Int>?
        /// 1 for `exact` and `moved`, the quote's similarity for `fuzzy` (0 when too long to
        /// measure), 0 for an orphan. For display: no decision reads it.
        public let score: Double
    }

    /// A share, compared exactly: `part` of `whole` reaches it when
    /// `denominator * part >= numerator * whole`.
    public struct Share: Hashable, Sendable {
        public let numerator: Int
        public let denominator: Int

        public func isReached(by part: Int, of whole: Int) -> Bool { denominator * part >= numerator * whole }
    }

    /// The least similarity of old and new quote for `fuzzy` (3/4: 4 · (longer − distance) ≥
    /// 3 · longer)...
    public static let fuzzyThreshold = Share(numerator: 3, denominator: 4)
    /// ...unless the diff kept the quote's first and last tokens, which pins the passage at both
    /// ends, and at least this share of its scalars: then only what lies between changed (a word
    /// replaced inside it), and the passage is `fuzzy` whatever its similarity.
    public static let keptShareBetweenKeptEdges = Share(numerator: 1, denominator: 2)
    /// The least similarity for `fuzzy` when the quote is one whole word of letters that the
    /// edit replaced by one word of letters, between two kept neighbours: the place is pinned on
    /// both sides, so half of a short word is enough ("of" corrected to "on", "tehm" to "them").
    /// Not for numbers: a corrected figure is another fact, not a typo.
    public static let oneWordThreshold = Share(numerator: 1, denominator: 2)
    /// A quote found by search must have at least this share of its context around it, and all
    /// of one side.
    public static let contextThreshold = Share(numerator: 1, denominator: 2)
    /// The most tokens (old and new, between their common start and end) a diff follows. The
    /// diff's memory grows with the square of the edit's size D ≤ this (`TokenDiff`: at most
    /// about 32 MB at 4,000), its time with this times D; an article of a few thousand tokens
    /// fits whole. A larger rewrite is searched, not followed.
    public static let largestDiff = 4_000
    /// The most cells (quote length × passage length, in scalars) the edit distance is computed
    /// over: a longer pair is not measured, so never fuzzy by similarity.
    public static let largestDistance = 4_000_000

    /// Where `anchor`, made on `old`, lies in `new`. To place many anchors across the same two
    /// texts, make one `Edit` and ask it for each: the diff is computed once.
    public static func anchor(_ anchor: Anchor, from old: String, to new: String) -> Result {
        Edit(from: old, to: new).anchor(anchor)
    }

    /// One edit of a text, diffed once: the tokens of both texts and which old token became
    /// which new one.
    public struct Edit: Sendable {
        let old: [Unicode.Scalar]
        let new: [Unicode.Scalar]
        let oldTokens: [Range<Int>]
        let newTokens: [Range<Int>]
        /// For each old token, the index of the new token it was kept as (nil: not kept); nil
        /// when the edit was too large to follow (`largestDiff`).
        let kept: [Int?]?

        public init(from old: String, to new: String) {
            self.old = Array(old.unicodeScalars)
            self.new = Array(new.unicodeScalars)
            oldTokens = Reanchoring.tokens(self.old)
            newTokens = Reanchoring.tokens(self.new)
            kept = Reanchoring.keptTokens(old: oldTokens, in: self.old, new: newTokens, in: self.new)
        }

        public func anchor(_ anchor: Anchor) -> Result {
            let quote = Array(anchor.exact.unicodeScalars)
            let (start, end) = (Int(clamping: anchor.start), Int(clamping: anchor.end))
            guard start < end, end <= old.count, !quote.isEmpty else { return Reanchoring.orphan }
            guard old != new else { return Result(state: .exact, range: start..<end, score: 1) }
            // Not "the quote's text is at its old offsets": a short quote ("s", "the") often is, by
            // chance, after an edit moved it. Where the edit carried it decides.
            if let carried = carry(start..<end) {
                let text = Array(new[carried.range])
                if text == quote { return Result(state: carried.range == start..<end ? .exact : .moved, range: carried.range, score: 1) }
                let similarEnough =
                    Reanchoring.isSimilar(quote, text, at: fuzzyThreshold)
                    || (carried.oneWordForOne && Reanchoring.isSimilar(quote, text, at: oneWordThreshold))
                if similarEnough || (carried.edgesKept && keptShareBetweenKeptEdges.isReached(by: carried.keptScalars, of: quote.count)) {
                    return Result(state: .fuzzy, range: carried.range, score: Reanchoring.similarity(quote, text))
                }
            }
            return Reanchoring.search(anchor, quote: quote, in: new)
        }
    }

    private static let orphan = Result(state: .orphaned, range: nil, score: 0)

    /// The quote, whole, where it and enough of its context are found once: of all its
    /// occurrences (scalar by scalar, overlapping ones too), the one whose context agrees on
    /// strictly the most scalars, if that is at least `contextThreshold` of the context and all
    /// of one side. An occurrence without a whole side agrees on 0.
    static func search(_ anchor: Anchor, quote: [Unicode.Scalar], in text: [Unicode.Scalar]) -> Result {
        let prefix = Array(anchor.prefix.unicodeScalars)
        let suffix = Array(anchor.suffix.unicodeScalars)
        guard quote.count <= text.count else { return orphan }
        var best: (range: Range<Int>, agreed: Int)?
        var bestIsAlone = false
        for start in 0...(text.count - quote.count) where text[start] == quote[0] && text[start..<start + quote.count].elementsEqual(quote)
        {
            let range = start..<start + quote.count
            let agreement = contextAgreement(prefix: prefix, suffix: suffix, around: range, in: text)
            let agreed = agreement.oneSideWhole ? agreement.scalars : 0
            if let leader = best, agreed <= leader.agreed {
                if agreed == leader.agreed { bestIsAlone = false }
            } else {
                (best, bestIsAlone) = ((range, agreed), true)
            }
        }
        guard let best, bestIsAlone, contextThreshold.isReached(by: best.agreed, of: prefix.count + suffix.count) else { return orphan }
        return Result(state: .moved, range: best.range, score: 1)
    }

    /// How many scalars of the context are found around `range`: of the prefix, ending just
    /// before it, and of the suffix, beginning just after it; and whether one side is there
    /// whole (true when there is no context to check).
    static func contextAgreement(prefix: [Unicode.Scalar], suffix: [Unicode.Scalar], around range: Range<Int>, in text: [Unicode.Scalar])
        -> (scalars: Int, oneSideWhole: Bool)
    {
        guard prefix.count + suffix.count > 0 else { return (0, true) }
        var before = 0
        while before < prefix.count, range.lowerBound - before - 1 >= 0,
            text[range.lowerBound - before - 1] == prefix[prefix.count - before - 1]
        {
            before += 1
        }
        var after = 0
        while after < suffix.count, range.upperBound + after < text.count, text[range.upperBound + after] == suffix[after] { after += 1 }
        // "All of one side" means a side there is: an empty prefix (the text's start) proves nothing.
        let oneSideWhole = (!prefix.isEmpty && before == prefix.count) || (!suffix.isEmpty && after == suffix.count)
        return (before + after, oneSideWhole)
    }

    /// For each old token, the new token the edit keeps it as (nil: removed or replaced); nil
    /// altogether when the edit is too large to follow (`largestDiff`), and only searched.
    static func keptTokens(old oldTokens: [Range<Int>], in old: [Unicode.Scalar], new newTokens: [Range<Int>], in new: [Unicode.Scalar])
        -> [Int?]?
    {
        let newTexts = newTokens.map { Array(new[$0]) }
        let oldTexts = oldTokens.map { Array(old[$0]) }
        // The edit is in the middle: tokens equal from the start and from the end are kept as
        // they are, and only what lies between is diffed (Myers: time and memory grow with the
        // size of the edit, so a rewrite past `largestDiff` tokens is not followed, only searched).
        var common = 0
        while common < oldTexts.count, common < newTexts.count, oldTexts[common] == newTexts[common] { common += 1 }
        var trailing = 0
        while trailing < oldTexts.count - common, trailing < newTexts.count - common,
            oldTexts[oldTexts.count - 1 - trailing] == newTexts[newTexts.count - 1 - trailing]
        {
            trailing += 1
        }
        let oldMiddle = common..<(oldTexts.count - trailing)
        let newMiddle = common..<(newTexts.count - trailing)
        guard oldMiddle.count + newMiddle.count <= largestDiff else { return nil }
        var kept = [Int?](repeating: nil, count: oldTexts.count)
        for index in 0..<common { kept[index] = index }
        for index in oldMiddle.upperBound..<oldTexts.count { kept[index] = index - oldTexts.count + newTexts.count }
        for pair in TokenDiff.kept(from: Array(oldTexts[oldMiddle]), to: Array(newTexts[newMiddle])) {
            kept[common + pair.old] = common + pair.new
        }
        return kept
    }
}

extension Reanchoring.Edit {
    /// Where the edit carries the scalars `range` of the old text, or nil when the diff keeps
    /// none of its tokens (nor both of its neighbours), or the edit was too large to follow.
    ///
    /// `oneWordForOne`: the range is exactly one old token of letters, not kept, carried to
    /// exactly one new token of letters (one word replaced by one word between kept neighbours).
    func carry(_ range: Range<Int>) -> (range: Range<Int>, edgesKept: Bool, keptScalars: Int, oneWordForOne: Bool)? {
        guard let kept else { return nil }
        // The tokens the range overlaps: found by binary search, tokens being in text order.
        var low = 0
        var high = oldTokens.count
        while low < high {
            let middle = (low + high) / 2
            if oldTokens[middle].upperBound <= range.lowerBound { low = middle + 1 } else { high = middle }
        }
        var touched: [Int] = []
        var index = low
        while index < oldTokens.count, oldTokens[index].lowerBound < range.upperBound {
            touched.append(index)
            index += 1
        }
        guard let first = touched.first, let last = touched.last else { return nil }
        // None of the quote's tokens kept: the edit replaced them all (a word with a typo fixed) or
        // removed them (a paragraph moved away). Carried only when the tokens on both sides were
        // kept, to the run between them; the similarity then tells the two apart.
        if !touched.contains(where: { kept[$0] != nil }) {
            guard first > 0, last + 1 < oldTokens.count, kept[first - 1] != nil, kept[last + 1] != nil else { return nil }
        }
        // The start: inside a kept token, at the same place in it; in a replaced run, at the start
        // of what replaced it (just after the kept token before).
        let start: Int
        if let mapped = kept[first] {
            start = newTokens[mapped].lowerBound + (range.lowerBound - oldTokens[first].lowerBound)
        } else {
            let previous = (0..<first).last { kept[$0] != nil }
            start = previous.map { newTokens[kept[$0]!].upperBound } ?? 0
        }
        let end: Int
        if let mapped = kept[last] {
            end = newTokens[mapped].lowerBound + (range.upperBound - oldTokens[last].lowerBound)
        } else {
            let next = ((last + 1)..<oldTokens.count).first { kept[$0] != nil }
            end = next.map { newTokens[kept[$0]!].lowerBound } ?? new.count
        }
        guard start < end else { return nil }
        let keptScalars = touched.filter { kept[$0] != nil }.reduce(0) { total, token in
            total + oldTokens[token].clamped(to: range).count
        }
        let carried = start..<min(end, new.count)
        let letters = { (scalars: ArraySlice<Unicode.Scalar>) in scalars.allSatisfy { $0.properties.isAlphabetic } }
        let oneWordForOne =
            first == last && kept[first] == nil && oldTokens[first] == range && letters(old[range])
            && Reanchoring.tokens(Array(new[carried])).count == 1 && letters(new[carried])
        return (carried, kept[first] != nil && kept[last] != nil, keptScalars, oneWordForOne)
    }
}

extension Reanchoring {
    /// Runs of letters and digits, and every other scalar alone, as scalar ranges.
    static func tokens(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var index = 0
        while index < text.count {
            var end = index + 1
            if isWordScalar(text[index]) { while end < text.count, isWordScalar(text[end]) { end += 1 } }
            found.append(index..<end)
            index = end
        }
        return found
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// Whether `a` and `b` are similar enough for `fuzzy`: their edit distance, measured, is at
    /// most a quarter of the longer (`fuzzyThreshold` of 1 − distance / longer).
    static func isSimilar(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], at threshold: Share) -> Bool {
        let longer = max(a.count, b.count)
        // The distance is at least the difference in length: a pair whose lengths differ too
        // much needs no measuring.
        guard threshold.isReached(by: min(a.count, b.count), of: longer), let distance = distance(a, b) else { return false }
        return threshold.isReached(by: longer - distance, of: longer)
    }

    /// 1 − Levenshtein distance / the longer length, over scalars, for display; 0 when the pair
    /// is too long to measure.
    static func similarity(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        let longer = max(a.count, b.count)
        guard longer > 0 else { return 1 }
        guard let distance = distance(a, b) else { return 0 }
        return 1 - Double(distance) / Double(longer)
    }

    /// The Levenshtein distance (insertions, deletions, substitutions of one scalar), or nil when
    /// the pair has more than `largestDistance` cells.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int? {
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        guard a.count * b.count <= largestDistance else { return nil }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
