import GlossCore
import GlossTestSupport
import Testing

/// Replicas that edit apart, exchange changes through a channel that drops, repeats and
/// reorders, then exchange everything, must all hold the same state.
@Suite struct ConvergenceTests {
    @Test(arguments: Array(UInt64(1)...UInt64(40)))
    func replicasConvergeAfterFullExchange(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replicaCount = 3 + random.below(3)
        var replicas = try RandomHistory.replicas(count: replicaCount, steps: 150, using: &random)
        let everything = RandomHistory.union(replicas)
        for index in replicas.indices {
            var shuffled = everything + RandomHistory.sample(of: everything, using: &random)
            shuffled.shuffle(using: &random)
            try replicas[index].receive(shuffled)
        }
        let digests = Set(replicas.map { StateDigest.hex(of: $0.state) })
        #expect(digests.count == 1, "seed \(seed): \(replicaCount) replicas ended with \(digests.count) digests")
        #expect(replicas.allSatisfy { $0.log.count == everything.count }, "seed \(seed): a change was not applied")
    }

    @Test(arguments: Array(UInt64(100)...UInt64(130)))
    func everyWrittenValueIsLiveOrSupersededByAChangeThatSawIt(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var replicas = try RandomHistory.replicas(count: 4, steps: 150, using: &random)
        let everything = RandomHistory.union(replicas)
        try replicas[0].receive(everything)
        let state = replicas[0].state
        for change in everything {
            for case .set(let entity, let field, let value) in change.operations {
                let register = state.articles[entity]?.registers[field] ?? state.annotations[entity]?.registers[field]
                let live = register?.values.contains { $0.dot == change.id && $0.value == value } ?? false
                let superseded = everything.contains { later in
                    later.covers(change.id)
                        && later.operations.contains {
                            if case .set(entity, field, _) = $0 { return true } else { return false }
                        }
                }
                #expect(live || superseded, "seed \(seed): \(field) of \(entity) written by \(change.id) was lost")
            }
        }
    }

    @Test func concurrentEditsOfOneFieldAreKeptAsSiblingsWithTheSameWinnerEverywhere() throws {
        var desk = SimulatedReplica(number: 1)
        var field = SimulatedReplica(number: 2)
        let body = RandomEdits.texts[0]
        let article = ArticleText.id(of: body)
        let create = Change(
            id: Dot(replica: desk.id, seq: 1), dependencies: VersionVector(), time: 1,
            operations: [.createArticle(id: article, body: body)]
        )
        try desk.receive([create])
        try field.receive([create])
        let fromDesk = Change(
            id: Dot(replica: desk.id, seq: 2), dependencies: desk.state.clock, time: 2,
            operations: [.set(entity: article, field: .title, value: "Desk title")])
        let fromField = Change(
            id: Dot(replica: field.id, seq: 1), dependencies: field.state.clock, time: 3,
            operations: [.set(entity: article, field: .title, value: "Field title")])
        try desk.receive([fromDesk, fromField])
        try field.receive([fromField, fromDesk])
        let register = try #require(desk.state.articles[article]?.registers[.title])
        #expect(register.isInConflict)
        #expect(Set(register.values.map(\.value)) == ["Desk title", "Field title"])
        #expect(desk.state.articles[article]?.value(of: .title) == field.state.articles[article]?.value(of: .title))
        #expect(desk.state.conflicts.count == 1)
    }
}
