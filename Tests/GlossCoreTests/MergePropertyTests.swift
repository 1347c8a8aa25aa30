import GlossCore
import GlossTestSupport
import Testing

/// Merging is applying the union of two change sets. These check it is commutative,
/// associative and idempotent, over random histories with every kind of concurrent edit.
@Suite struct MergePropertyTests {
    static let seeds = Array(UInt64(1000)...UInt64(1030))

    /// The state reached by applying `changes` (in any order the channel delivers) to `start`.
    func merged(_ start: ReplicaState, _ changes: [Change]) throws -> ReplicaState {
        var state = start
        let (ready, blocked) = CausalOrder.arrange(changes, after: state.clock)
        #expect(blocked.isEmpty)
        for change in ready { try state.apply(change) }
        return state
    }

    @Test(arguments: seeds)
    func mergeIsCommutative(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicas = try RandomHistory.replicas(count: 3, steps: 120, using: &random)
        let a = replicas[0]
        let b = replicas[1]
        let ab = try merged(a.state, b.log)
        let ba = try merged(b.state, a.log)
        #expect(ab == ba, "seed \(seed)")
        #expect(StateDigest.of(ab) == StateDigest.of(ba), "seed \(seed)")
    }

    @Test(arguments: seeds)
    func mergeIsAssociative(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicas = try RandomHistory.replicas(count: 3, steps: 120, using: &random)
        let (a, b, c) = (replicas[0], replicas[1], replicas[2])
        let abThenC = try merged(merged(a.state, b.log), c.log)
        let aThenBC = try merged(a.state, RandomHistory.union([b, c]))
        #expect(abThenC == aThenBC, "seed \(seed)")
    }

    /// Guards the other properties against a generator too tame to test anything: the random
    /// histories must produce register conflicts and delete-vs-edit conflicts.
    @Test func randomHistoriesContainEveryKindOfConflict() throws {
        var fields = 0
        var deletes = 0
        for seed in Self.seeds {
            var random = SplitMix64(seed: seed)
            let replicas = try RandomHistory.replicas(count: 3, steps: 120, using: &random)
            let conflicts = try merged(ReplicaState(), RandomHistory.union(replicas)).conflicts
            deletes += conflicts.filter { $0.field == Conflict.deletedField }.count
            fields += conflicts.filter { $0.field != Conflict.deletedField }.count
        }
        #expect(fields > 10)
        #expect(deletes > 0)
    }

    /// The convergence properties cover revisions only if the histories hold them: revisions
    /// added by two replicas at once (the first-adder rule), the current revision in conflict,
    /// annotations made on a later revision, and anchors placed by hand, in conflict too.
    @Test func randomHistoriesReviseArticlesAndPlaceAnchors() throws {
        var (sharedTexts, revisionConflicts, onRevisions, placedConflicts) = (0, 0, 0, 0)
        for seed in Self.seeds {
            var random = SplitMix64(seed: seed)
            let replicas = try RandomHistory.replicas(count: 3, steps: 120, using: &random)
            let log = RandomHistory.union(replicas)
            let state = try merged(ReplicaState(), log)
            let adders = log.flatMap { change in
                change.operations.compactMap { operation -> [EntityID]? in
                    guard case .addRevision(let article, let revision, _, _) = operation else { return nil }
                    return [article, revision]
                }
            }
            sharedTexts += adders.count - Set(adders).count
            revisionConflicts += state.conflicts.filter { $0.field == "revision" }.count
            placedConflicts += state.conflicts.filter { $0.field == "anchor" }.count
            onRevisions += state.annotations.values.filter { $0.anchor.revision != nil }.count
        }
        #expect(sharedTexts > 0 && revisionConflicts > 0 && onRevisions > 0 && placedConflicts > 0)
    }

    @Test(arguments: seeds)
    func mergeIsIdempotent(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicas = try RandomHistory.replicas(count: 3, steps: 120, using: &random)
        let a = replicas[0]
        #expect(try merged(a.state, a.log) == a.state, "seed \(seed)")
        let once = try merged(a.state, replicas[1].log)
        #expect(try merged(once, replicas[1].log) == once, "seed \(seed)")
    }

    @Test(arguments: seeds)
    func anyCausalOrderGivesTheSameDigest(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicas = try RandomHistory.replicas(count: 4, steps: 120, using: &random)
        let everything = RandomHistory.union(replicas)
        var shuffled = everything
        shuffled.shuffle(using: &random)
        #expect(
            StateDigest.of(try merged(ReplicaState(), everything)) == StateDigest.of(try merged(ReplicaState(), shuffled)),
            "seed \(seed)")
    }
}
