import GlossCore
import GlossTestSupport
import Testing

/// `TokenDiff`: its tie-breaking on small cases worked by hand, and on random arrays a common
/// subsequence of maximal length.
@Suite struct TokenDiffTests {
    static func kept(_ old: String, _ new: String) -> [[Int]] {
        TokenDiff.kept(from: Array(old), to: Array(new)).map { [$0.old, $0.new] }
    }

    @Test func nothingIsKeptFromOrIntoNothing() {
        #expect(Self.kept("", "").isEmpty)
        #expect(Self.kept("abc", "").isEmpty)
        #expect(Self.kept("", "abc").isEmpty)
        #expect(Self.kept("ab", "cd").isEmpty)
    }

    @Test func equalArraysAreKeptWhole() {
        #expect(Self.kept("abc", "abc") == [[0, 0], [1, 1], [2, 2]])
    }

    /// Two tokens swapped: diagonal 1 (after deleting "a") reaches further than diagonal −1
    /// (after inserting "b"), so d = 2 continues it and "b" is kept.
    @Test func aSwapKeepsTheSecondToken() {
        #expect(Self.kept("ab", "ba") == [[1, 0]])
        #expect(Self.kept("aba", "bab") == [[1, 0], [2, 1]])
    }

    /// A repeated token: the snake at d = 0 takes the first, so the first is kept.
    @Test func aRepeatedTokenKeepsTheFirst() {
        #expect(Self.kept("aa", "a") == [[0, 0]])
        #expect(Self.kept("a", "aa") == [[0, 0]])
        #expect(Self.kept("ab", "bab") == [[0, 1], [1, 2]])
    }

    /// Myers' own example (1986, figure 1): D = 5, and the path the paper draws, "CABA".
    @Test func theExampleOfThePaperTakesItsPath() {
        #expect(Self.kept("abcabba", "cbabac") == [[2, 0], [3, 2], [4, 3], [6, 4]])
        #expect(Self.kept("xaby", "xbay") == [[0, 0], [2, 1], [3, 3]])
    }

    /// Random arrays over a small alphabet (many ties): the kept pairs are equal tokens, strictly
    /// increasing in both indices, and as many as a plain dynamic-programming LCS finds.
    @Test(arguments: [UInt64(1), 2, 3, 20_261_127])
    func keepsALongestCommonSubsequence(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for round in 0..<300 {
            let alphabet = 1 + random.below(4)
            let old = (0..<random.below(30)).map { _ in random.below(alphabet) }
            let new = (0..<random.below(30)).map { _ in random.below(alphabet) }
            let kept = TokenDiff.kept(from: old, to: new)
            let context = "seed \(seed), round \(round): \(old) -> \(new)"
            #expect(kept.allSatisfy { old[$0.old] == new[$0.new] }, "\(context)")
            #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.old < $1.old && $0.new < $1.new }, "\(context)")
            #expect(kept.count == Self.longestCommonSubsequence(old, new), "\(context)")
        }
    }

    /// The textbook O(N·M) table.
    static func longestCommonSubsequence(_ a: [Int], _ b: [Int]) -> Int {
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }
}
