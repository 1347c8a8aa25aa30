import GlossCore

/// Random histories for property tests: several replicas editing apart and exchanging now and
/// then, so the union of their logs holds concurrent writes of every kind.
public enum RandomHistory {
    /// Runs `steps` random edits and partial exchanges among `replicaCount` replicas, without a
    /// final full exchange. Every replica's log is a valid causal history.
    public static func replicas(count replicaCount: Int, steps: Int, using random: inout SplitMix64) throws -> [SimulatedReplica] {
        var replicas = (1...replicaCount).map { SimulatedReplica(number: UInt64($0)) }
        for _ in 0..<steps {
            let actor = random.below(replicaCount)
            if random.chance(75) {
                try replicas[actor].editRandomly(using: &random)
            } else {
                let peer = random.below(replicaCount)
                try replicas[actor].receive(sample(of: replicas[peer].log, using: &random))
            }
        }
        return replicas
    }

    /// A random slice of `changes`, shuffled, with some duplicated: what a lossy, reordering,
    /// repeating channel delivers.
    public static func sample(of changes: [Change], using random: inout SplitMix64) -> [Change] {
        var picked = changes.filter { _ in random.chance(70) }
        picked += picked.filter { _ in random.chance(20) }
        picked.shuffle(using: &random)
        return picked
    }

    /// Every change any of the replicas holds, once each.
    public static func union(_ replicas: [SimulatedReplica]) -> [Change] {
        var seen: Set<Dot> = []
        return replicas.flatMap(\.log).filter { seen.insert($0.id).inserted }
    }
}
