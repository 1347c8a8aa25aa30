/// A word-level three-way merge of two edited texts against their common ancestor, as
/// `diff3` does for lines: edits to different places combine; edits to the same place, unless
/// identical, are a conflict.
///
///     ThreeWayMerge.merge(base: "the cat sat", ours: "the black cat sat", theirs: "the cat sat down")
///     // .merged("the black cat sat down")
public enum ThreeWayMerge {
    public enum Outcome: Equatable, Sendable {
        case merged(String)
        /// Both sides changed the same words differently.
        case overlapping
    }

    /// Texts whose token counts multiply past this are not diffed (the table would be too big):
    /// they are reported as overlapping, so nothing is merged wrongly.
    public static let maximumTableSize = 4_000_000

    public static func merge(base: String, ours: String, theirs: String) -> Outcome {
        if ours.isByteEqual(to: theirs) { return .merged(ours) }
        if ours.isByteEqual(to: base) { return .merged(theirs) }
        if theirs.isByteEqual(to: base) { return .merged(ours) }
        let baseTokens = tokens(base)
        let ourTokens = tokens(ours)
        let theirTokens = tokens(theirs)
        guard let ourMatch = matches(baseTokens, ourTokens), let theirMatch = matches(baseTokens, theirTokens) else {
            return .overlapping
        }
        var output: [Substring] = []
        var baseIndex = 0
        var ourIndex = 0
        var theirIndex = 0
        while true {
            var stable = baseIndex
            while stable < baseTokens.count && (ourMatch[stable] == nil || theirMatch[stable] == nil) { stable += 1 }
            let ourEnd = stable < baseTokens.count ? ourMatch[stable]! : ourTokens.count
            let theirEnd = stable < baseTokens.count ? theirMatch[stable]! : theirTokens.count
            let baseChunk = baseTokens[baseIndex..<stable]
            let ourChunk = ourTokens[ourIndex..<ourEnd]
            let theirChunk = theirTokens[theirIndex..<theirEnd]
            if ourChunk.elementsEqual(baseChunk, by: sameBytes) {
                output += theirChunk
            } else if theirChunk.elementsEqual(baseChunk, by: sameBytes) || ourChunk.elementsEqual(theirChunk, by: sameBytes) {
                output += ourChunk
            } else {
                return .overlapping
            }
            guard stable < baseTokens.count else { break }
            output.append(baseTokens[stable])
            baseIndex = stable + 1
            ourIndex = ourEnd + 1
            theirIndex = theirEnd + 1
        }
        return .merged(output.joined())
    }

    /// Tokens are compared by their bytes (SPEC §3): a change of Unicode normalization is an edit.
    static func sameBytes(_ a: Substring, _ b: Substring) -> Bool { a.utf8.elementsEqual(b.utf8) }

    /// Runs of white space and runs of anything else, so a merge never splits a word.
    static func tokens(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if next < text.endIndex && text[next].isWhitespace != text[index].isWhitespace {
                result.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result
    }

    /// For each base token, the index of the token it matches in `other` along a longest common
    /// subsequence, or nil. Nil overall when the texts are too large to diff.
    static func matches(_ base: [Substring], _ other: [Substring]) -> [Int?]? {
        let rows = base.count
        let columns = other.count
        guard (rows + 1) * (columns + 1) <= maximumTableSize else { return nil }
        // lengths[i][j]: LCS length of base[i...] and other[j...].
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: columns + 1), count: rows + 1)
        for i in stride(from: rows - 1, through: 0, by: -1) {
            for j in stride(from: columns - 1, through: 0, by: -1) {
                lengths[i][j] = sameBytes(base[i], other[j]) ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var result = [Int?](repeating: nil, count: rows)
        var i = 0
        var j = 0
        while i < rows && j < columns {
            if sameBytes(base[i], other[j]) {
                result[i] = j
                i += 1
                j += 1
            } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return result
    }
}

extension ThreeWayMerge {
    /// The value the siblings of `field` of `entity` grew from: the latest write of that field
    /// in `history` that every sibling's change had seen; "" when they share none (both added a
    /// value to an empty field). Nil when there are several such latest writes that no one of
    /// them saw the others (a criss-cross history) and they differ: there is no one ancestor,
    /// and guessing one could silently undo a resolution.
    public static func commonAncestor(of field: Field, of entity: EntityID, siblings: [Dot], history: [Change]) -> String? {
        let changes = Dictionary(history.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let siblingChanges = siblings.compactMap { changes[$0] }
        var candidates: [(change: Change, value: String)] = []
        for change in history where siblingChanges.allSatisfy({ $0.covers(change.id) }) {
            for case .set(entity, field, let value) in change.operations { candidates.append((change, value)) }
        }
        // The latest: those no other candidate has seen.
        let latest = candidates.filter { candidate in
            !candidates.contains { $0.change.id != candidate.change.id && $0.change.covers(candidate.change.id) }
        }
        guard let first = latest.first else { return "" }
        guard latest.allSatisfy({ $0.value.isByteEqual(to: first.value) }) else { return nil }
        return first.value
    }
}
