import GlossCore
import GlossTestSupport
import Testing

@Suite struct VersionVectorTests {
    static let replicas = (1...4).map { ID128(high: 0, low: UInt64($0)) }

    static func randomVector(_ random: inout SplitMix64) -> VersionVector {
        var vector = VersionVector()
        for replica in replicas where random.chance(70) { vector[replica] = UInt64(random.below(4)) }
        return vector
    }

    @Test(arguments: Array(UInt64(1)...UInt64(20)))
    func compareIsAPartialOrder(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let a = Self.randomVector(&random)
            let b = Self.randomVector(&random)
            let c = Self.randomVector(&random)
            #expect(a.compare(a) == .equal)
            switch a.compare(b) {
            case .before: #expect(b.compare(a) == .after, "seed \(seed)")
            case .after: #expect(b.compare(a) == .before, "seed \(seed)")
            case .equal: #expect(a == b, "seed \(seed): antisymmetry")
            case .concurrent: #expect(b.compare(a) == .concurrent, "seed \(seed)")
            }
            if a.dominates(b) && b.dominates(c) { #expect(a.dominates(c), "seed \(seed): transitivity") }
            let join = a.merging(b)
            #expect(join.dominates(a) && join.dominates(b), "seed \(seed): merge is an upper bound")
            if c.dominates(a) && c.dominates(b) { #expect(c.dominates(join), "seed \(seed): merge is the least one") }
            #expect(a.merging(b) == b.merging(a) && a.merging(a) == a)
        }
    }

    @Test func missingEntriesReadAsZero() {
        var vector = VersionVector()
        vector[Self.replicas[0]] = 0
        #expect(vector.isEmpty)
        #expect(vector == VersionVector())
        #expect(!vector.contains(Dot(replica: Self.replicas[1], seq: 1)))
    }
}
