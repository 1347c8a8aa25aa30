import GlossCore
import GlossTestSupport
import Testing

/// A change is applied wholly or not at all: one that fails at its last operation, after the
/// others have edited articles and annotations, leaves the state exactly as it was.
@Suite struct RefusedChangeTests {
    static let seeds = Array(UInt64(2000)...UInt64(2015))

    /// An operation that passes every shape rule but that `state` must refuse, placed at
    /// `index` of the change `dot`: it names a missing entity, the wrong kind of entity, or
    /// quotes text its article does not hold.
    static func refusedOperation(on state: ReplicaState, at dot: Dot, index: Int, using random: inout SplitMix64) -> Operation {
        let unknown = ID128(high: random.next(), low: random.next())
        let annotation = state.annotations.keys.sorted().first
        let article = state.articles.values.sorted { $0.id < $1.id }.first
        switch random.below(5) {
        case 0: return .keepAnnotation(id: unknown)
        case 1: return .set(entity: unknown, field: .note, value: "never stored")
        case 2: return .deleteAnnotation(id: unknown)
        case 3:
            guard let annotation else { return .addTag(entity: unknown, tag: "never") }
            return .set(entity: annotation, field: .title, value: "a title on an annotation")
        default:
            guard let article else { return .keepAnnotation(id: unknown) }
            let length = UInt64(article.body.unicodeScalars.count)
            return .createAnnotation(
                id: ID128.annotation(createdAt: dot, index: index), article: article.id,
                anchor: Anchor(exact: "\u{2603} not in the text", prefix: "", suffix: "", start: 0, end: min(length, 18)))
        }
    }

    @Test(arguments: seeds)
    func aChangeRefusedAtItsLastOperationLeavesNoTrace(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicas = try RandomHistory.replicas(count: 3, steps: 150, using: &random)
        let (changes, blocked) = CausalOrder.arrange(RandomHistory.union(replicas), after: VersionVector())
        #expect(blocked.isEmpty)
        var state = ReplicaState()
        var refused = 0
        var refusedAfterEdits = 0
        for change in changes {
            if !change.operations.isEmpty, random.chance(60) {
                var operations = change.operations
                operations.append(Self.refusedOperation(on: state, at: change.id, index: operations.count, using: &random))
                let poisoned = Change(id: change.id, dependencies: change.dependencies, time: change.time, operations: operations)
                let before = state
                #expect(throws: GlossCoreError.self, "seed \(seed), \(change.id)") { try state.apply(poisoned) }
                #expect(state == before, "seed \(seed): the refused \(change.id) left a trace")
                refused += 1
                if change.operations.contains(where: { if case .deleteAnnotation = $0 { false } else { true } }) { refusedAfterEdits += 1 }
            }
            try state.apply(change)
        }
        // The test means something only if refusals came after operations that had edited.
        #expect(refused > 20 && refusedAfterEdits > 10, "seed \(seed): \(refused) refused, \(refusedAfterEdits) after edits")
    }
}
