import Crypto
import GlossTestSupport
import Testing

@testable import GlossCore

/// The state digest is a sum a store keeps up to date (SPEC §8): replacing an entity's element as
/// each change lands gives the digest computed from scratch, in any order.
@Suite struct StateSumTests {
    @Test func theEmptyStateHashesTwoZeroCountsAndAZeroSum() {
        var bytes: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 14] + Array("gloss-state-v3".utf8)
        bytes += [UInt8](repeating: 0, count: 16 + 32)
        #expect(StateDigest.of(ReplicaState()) == Array(SHA256.hash(data: bytes)))
        #expect(StateDigest.Sum().digest == StateDigest.of(ReplicaState()))
    }

    /// Replays a random history change by change, keeping a sum as a store does (each touched
    /// entity's old hash out, its new one in), and compares it with the digest of the state at
    /// every step.
    @Test(arguments: 1...12 as ClosedRange<UInt64>)
    func aSumKeptChangeByChangeIsTheDigestOfTheState(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicas = try RandomHistory.replicas(count: 3, steps: 80, using: &random)
        var state = ReplicaState()
        var sum = StateDigest.Sum()
        for change in RandomHistory.union(replicas) {
            let before = state
            _ = try state.apply(change)
            for id in Set(change.operations.map(\.entity)) {
                if let old = before.articles[id] { sum.remove(.article, id: id, hash: StateDigest.hash(of: old)) }
                if let old = before.annotations[id] { sum.remove(.annotation, id: id, hash: StateDigest.hash(of: old)) }
                if let new = state.articles[id] { sum.add(new) }
                if let new = state.annotations[id] { sum.add(new) }
            }
            #expect(sum.digest == StateDigest.of(state), "seed \(seed), after \(change.id)")
        }
        #expect(sum.articles == state.articles.count && sum.annotations == state.annotations.count)
        let stored = try #require(StateDigest.Sum(articles: sum.articles, annotations: sum.annotations, total: sum.total))
        #expect(stored == sum)
    }

    /// Sums wrap modulo 2²⁵⁶, and taking out what was added returns to where it was, carries and
    /// borrows across every limb included.
    @Test func addingAndRemovingWrapsAroundAndUndoes() throws {
        var random = SplitMix64(seed: 7)
        var sum = StateDigest.Sum()
        var added: [(EntityKind, EntityID, [UInt8])] = []
        for index in 0..<500 {
            let kind: EntityKind = index % 3 == 0 ? .article : .annotation
            let id = ID128(high: random.next(), low: random.next())
            let hash = (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            sum.add(kind, id: id, hash: hash)
            added.append((kind, id, hash))
        }
        let full = sum
        added.shuffle(using: &random)
        for (kind, id, hash) in added.prefix(250) { sum.remove(kind, id: id, hash: hash) }
        #expect(sum != full)
        for (kind, id, hash) in added.prefix(250).reversed() { sum.add(kind, id: id, hash: hash) }
        #expect(sum == full)
        for (kind, id, hash) in added { sum.remove(kind, id: id, hash: hash) }
        #expect(sum == StateDigest.Sum())
        #expect(sum.total == [UInt8](repeating: 0, count: 32))
        #expect(StateDigest.Sum(articles: 0, annotations: 0, total: [1, 2]) == nil)
        #expect(StateDigest.Sum(articles: -1, annotations: 0, total: sum.total) == nil)
    }

    /// An article and an annotation with the same id and hash are different elements.
    @Test func theKindIsPartOfTheElement() {
        let id = ID128(high: 1, low: 2)
        let hash = [UInt8](repeating: 9, count: 32)
        var asArticle = StateDigest.Sum()
        asArticle.add(.article, id: id, hash: hash)
        var asAnnotation = StateDigest.Sum()
        asAnnotation.add(.annotation, id: id, hash: hash)
        #expect(asArticle.total != asAnnotation.total)
    }
}
