import GlossCore

/// Article revisions with ground truth, for measuring `Reanchoring`: real articles, a
/// highlighted passage in each, and one edit of the kinds real corrections make. Every scalar
/// of the edited text remembers which scalar of the original it was (none when the edit wrote
/// it), so the truth is known: where the highlighted scalars went, or that too few survived.
public enum RevisionCorpus {
    public enum EditKind: String, CaseIterable, Sendable {
        case figureChanged = "figure changed"
        case sentenceInserted = "sentence inserted"
        case sentenceDeleted = "sentence deleted"
        case paragraphMoved = "paragraph moved"
        case wordInsideChanged = "word inside the highlight changed"
        case wordBesideChanged = "word beside the highlight changed"
        case typoFixed = "typo fixed inside the highlight"
        case whitespaceNormalized = "white space normalized"
        case quotesNormalized = "quotation marks normalized"
    }

    public struct Case: Sendable {
        public let kind: EditKind
        public let old: String
        public let new: String
        public let anchor: Anchor
        /// Where the highlighted scalars are in `new` (first to last that survived), or nil when
        /// fewer than half of them survived: the passage is gone.
        public let truth: Range<Int>?
    }

    /// `perKind` cases of each kind, cycling through `articles`, reproducible from `seed`.
    public static func cases(articles: [String], perKind: Int, seed: UInt64) -> [Case] {
        var random = SplitMix64(seed: seed)
        var made: [Case] = []
        for kind in EditKind.allCases {
            var count = 0
            var attempts = 0
            while count < perKind, attempts < perKind * 20 {
                attempts += 1
                let article = articles[random.below(articles.count)]
                guard let made1 = make(kind, on: article, using: &random) else { continue }
                made.append(made1)
                count += 1
            }
        }
        return made
    }

    /// A text whose scalars remember where they came from.
    struct Traced {
        var scalars: [(scalar: Unicode.Scalar, origin: Int?)]

        init(_ text: String) { scalars = text.unicodeScalars.enumerated().map { ($1, $0) } }

        var text: String { String(String.UnicodeScalarView(scalars.map(\.scalar))) }

        mutating func replace(_ range: Range<Int>, with text: String) {
            scalars.replaceSubrange(range, with: text.unicodeScalars.map { (scalar: $0, origin: Int?.none) })
        }

        /// Where the scalars of `range` (of the original) are now, if at least half survive.
        func truth(of range: Range<Int>) -> Range<Int>? {
            let now = scalars.indices.filter { scalars[$0].origin.map(range.contains) == true }
            guard let first = now.first, let last = now.last, now.count * 2 >= range.count else { return nil }
            return first..<last + 1
        }
    }

    static func make(_ kind: EditKind, on article: String, using random: inout SplitMix64) -> Case? {
        let scalars = Array(article.unicodeScalars)
        let words = wordRanges(scalars)
        guard words.count > 40 else { return nil }
        // A highlight of 1 to 8 words within one sentence.
        let length = 1 + random.below(8)
        let first = random.below(words.count - length)
        let span = words[first].lowerBound..<words[first + length - 1].upperBound
        // Within one sentence, as people highlight.
        let crossesSentence = zip(scalars[span], scalars[span].dropFirst()).contains { $0 == "." && $1 == " " }
        guard !scalars[span].contains("\n"), !crossesSentence,
            let anchor = QuoteAnchoring.anchor(start: span.lowerBound, end: span.upperBound, in: scalars)
        else { return nil }
        var traced = Traced(article)
        let sentences = sentenceRanges(scalars)
        switch kind {
        case .figureChanged:
            let numbers = words.filter { scalars[$0].allSatisfy { $0.properties.numericType != nil } }
            let inside = numbers.filter { span.contains($0.lowerBound) }
            guard let number = (random.chance(60) && !inside.isEmpty ? inside : numbers).randomElement(using: &random) else { return nil }
            let old = String(String.UnicodeScalarView(scalars[number]))
            var new = old
            while new == old { new = String(Int(old).map { $0 + 1 + random.below(9) } ?? random.below(1000)) }
            traced.replace(number, with: new)
        case .sentenceInserted:
            guard let at = sentences.randomElement(using: &random) else { return nil }
            let insert = " Officials later said the figures would be revised as more information becomes available."
            traced.replace(at.upperBound..<at.upperBound, with: insert)
        case .sentenceDeleted:
            // Half the time the highlight's own sentence: then the passage is gone.
            let own = sentences.first { $0.contains(span.lowerBound) }
            guard let sentence = random.chance(50) ? own : sentences.randomElement(using: &random) else { return nil }
            traced.replace(sentence, with: "")
        case .paragraphMoved:
            let paragraphs = paragraphRanges(scalars)
            guard paragraphs.count >= 3 else { return nil }
            let own = paragraphs.firstIndex { $0.contains(span.lowerBound) }
            let moving = random.chance(50) && own != nil ? own! : random.below(paragraphs.count)
            var target = random.below(paragraphs.count)
            while target == moving { target = random.below(paragraphs.count) }
            let moved = traced.scalars[paragraphs[moving]]
            let separator: [(scalar: Unicode.Scalar, origin: Int?)] = [("\n", nil), ("\n", nil)]
            var rest = Array(traced.scalars[..<paragraphs[moving].lowerBound]) + Array(traced.scalars[paragraphs[moving].upperBound...])
            let insertAt = target < moving ? paragraphs[target].lowerBound : paragraphs[target].upperBound - paragraphs[moving].count
            rest.insert(contentsOf: target < moving ? Array(moved) + separator : separator + Array(moved), at: insertAt)
            traced.scalars = rest
        case .wordInsideChanged:
            guard length >= 3 else { return nil }
            let word = words[first + 1 + random.below(length - 2)]
            traced.replace(word, with: ["reportedly", "several", "nearly", "officials", "Tuesday"].randomElement(using: &random)!)
        case .wordBesideChanged:
            guard first > 0, first + length < words.count else { return nil }
            let word = random.chance(50) ? words[first - 1] : words[first + length]
            traced.replace(word, with: ["reportedly", "several", "nearly", "officials", "Tuesday"].randomElement(using: &random)!)
        case .typoFixed:
            let letters = span.filter { scalars[$0].properties.isLowercase }
            guard let at = letters.randomElement(using: &random) else { return nil }
            let replacement = "etaoinshr".unicodeScalars.filter { $0 != scalars[at] }.randomElement(using: &random)!
            traced.replace(at..<at + 1, with: String(replacement))
        case .whitespaceNormalized:
            // Runs of spaces to one, spaces before a line break dropped, three or more breaks to two.
            var out: [(scalar: Unicode.Scalar, origin: Int?)] = []
            for entry in traced.scalars {
                if entry.scalar == " ", out.last?.scalar == " " { continue }
                if entry.scalar == "\n" { while out.last?.scalar == " " { out.removeLast() } }
                if entry.scalar == "\n", out.count >= 2, out[out.count - 1].scalar == "\n", out[out.count - 2].scalar == "\n" { continue }
                out.append(entry)
            }
            guard out.count != traced.scalars.count else { return nil }
            traced.scalars = out
        case .quotesNormalized:
            var open = true
            var changed = false
            for index in traced.scalars.indices {
                switch traced.scalars[index].scalar {
                case "'":
                    traced.scalars[index] = ("\u{2019}", traced.scalars[index].origin)
                    changed = true
                case "\"":
                    traced.scalars[index] = (open ? "\u{201C}" : "\u{201D}", traced.scalars[index].origin)
                    open.toggle()
                    changed = true
                default: break
                }
            }
            guard changed else { return nil }
        }
        return Case(kind: kind, old: article, new: traced.text, anchor: anchor, truth: traced.truth(of: span))
    }

    static func wordRanges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            guard isWord(scalars[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < scalars.count, isWord(scalars[end]) { end += 1 }
            found.append(index..<end)
            index = end
        }
        return found
    }

    private static func isWord(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isAlphabetic || scalar.properties.numericType != nil }

    /// Sentences: runs ending at ". " (or a line break), with their end punctuation.
    static func sentenceRanges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var start = 0
        for index in scalars.indices {
            let ends = (scalars[index] == "." && index + 1 < scalars.count && scalars[index + 1] == " ") || scalars[index] == "\n"
            if ends {
                if index + 1 - start > 20 { found.append(start..<index + 1) }
                start = index + 1
            }
        }
        return found
    }

    /// Paragraphs: runs between blank lines, without them.
    static func paragraphRanges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\n", index + 1 < scalars.count, scalars[index + 1] == "\n" {
                if index > start { found.append(start..<index) }
                while index < scalars.count, scalars[index] == "\n" { index += 1 }
                start = index
                continue
            }
            index += 1
        }
        if start < scalars.count { found.append(start..<scalars.count) }
        return found.filter { $0.count > 1 }
    }
}
