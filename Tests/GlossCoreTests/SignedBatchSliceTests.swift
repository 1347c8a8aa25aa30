import GlossCore
import GlossTestSupport
import Testing

/// A large batch cut into slices that each verify alone (`SignedBatch.slices`), for a store
/// that commits a bundle a slice at a time (issue 11).
@Suite struct SignedBatchSliceTests {
    static let store = StoreID(high: 0x5A, low: 0x1C)

    /// `count` random changes by the replicas numbered in `authors`, which sync now and then,
    /// so their changes interleave and depend on each other.
    static func history(authors: [UInt64], count: Int, seed: UInt64) throws -> [Change] {
        var random = SplitMix64(seed: seed)
        var replicas = authors.map { SimulatedReplica(number: $0) }
        try replicas[0].perform(ImportIntent(articles: RandomEdits.texts.map { .init(body: $0) }))
        var made = 1
        for round in 0..<(count * 4) where made < count {
            let index = round % replicas.count
            if try replicas[index].editRandomly(using: &random) != nil { made += 1 }
            if random.chance(3) {
                let all = replicas.flatMap(\.log)
                for other in replicas.indices { try replicas[other].receive(all) }
            }
        }
        let all = replicas.flatMap(\.log)
        return CausalOrder.arrange(all, after: VersionVector()).ready
    }

    static func check(_ batch: SignedBatch, target: Int) throws -> [SignedBatch] {
        let chains = try batch.verify(store: store)
        let cut = batch.slices(chains: chains, target: target)
        let slices = cut.map(\.batch)
        let all = slices.flatMap(\.changes)
        #expect(all.count == batch.changes.count && Set(all.map(\.id)) == Set(batch.changes.map(\.id)), "every change once")
        // In a causal order: each change after every change of the batch it depends on.
        var first: [ReplicaID: UInt64] = [:]
        for change in batch.changes { first[change.id.replica] = min(first[change.id.replica] ?? .max, change.id.seq) }
        var taken: [ReplicaID: UInt64] = [:]  // each author's changes come in seq order, so: the last taken
        for change in all {
            let author = change.id.replica
            #expect(taken[author].map { $0 + 1 } ?? first[author] == change.id.seq, "\(change.id) in its author's order")
            for (replica, seq) in change.dependencies.sortedEntries where replica != author && seq >= first[replica] ?? .max {
                #expect(taken[replica] ?? 0 >= seq, "\(change.id) before \(replica.hex):\(seq), which it depends on")
            }
            taken[author] = change.id.seq
        }
        let chainOf = Dictionary(uniqueKeysWithValues: zip(batch.changes.map(\.id), chains))
        for (number, (slice, given)) in cut.enumerated() {
            // Each verifies alone, with the chain hashes the whole gave its changes (and says so).
            let sliceChains = try slice.verify(store: store)
            #expect(sliceChains == slice.changes.map { chainOf[$0.id]! } && given == sliceChains)
            if number < slices.count - 1 { #expect(slice.changes.count >= target) }
        }
        return slices
    }

    @Test func oneAuthorsBatchIsCutAtItsCheckpoints() throws {
        let changes = try Self.history(authors: [1], count: 1_000, seed: 7)
        let batch = TestKeys.sign(changes, store: Self.store)
        let slices = try Self.check(batch, target: 200)
        // Checkpoints every 256 changes: cuts at 256, 512 and 768, in the batch's own order.
        #expect(slices.map(\.changes.count) == [256, 256, 256, 232])
        #expect(slices.flatMap(\.changes) == batch.changes)
    }

    /// Three authors that sync often: signed only every 256 changes they cannot be cut (each
    /// author's first segment depends on the others'), but signed where others depend on them,
    /// as a store's bundle is, they cut into segments taken in a causal order.
    @Test(arguments: 0..<2) func interleavedAuthorsAreCutWhereOthersDependOnThem(seed: UInt64) throws {
        let changes = try Self.history(authors: [1, 2, 3], count: 800, seed: seed)
        #expect(try Self.check(TestKeys.sign(changes, store: Self.store), target: 100).count == 1)
        let batch = TestKeys.sign(changes, store: Self.store, atDependencies: true)
        let slices = try Self.check(batch, target: 100)
        #expect(slices.count >= 5 && slices.dropLast().allSatisfy { $0.changes.count < 400 }, "\(slices.map(\.changes.count))")
        _ = try Self.check(batch, target: 1)
        #expect(try Self.check(batch, target: 10_000).count == 1, "a target above the batch: one slice")
    }

    /// A batch that verifies but does not hold an author's changes in seq order (no writer
    /// makes one; a reader must not trust that) is left whole rather than cut wrongly.
    @Test func aBatchOutOfSeqOrderIsLeftWhole() throws {
        let changes = try Self.history(authors: [1], count: 600, seed: 3)
        var batch = TestKeys.sign(changes, store: Self.store)
        batch.changes.swapAt(300, 301)
        let chains = try batch.verify(store: Self.store)
        #expect(batch.slices(chains: chains, target: 100).map(\.batch) == [batch])
    }

    /// A batch that starts after changes the receiver holds: the first slice's runs start from
    /// the bases the batch gave, the later ones from the chain hashes before them.
    @Test func aBatchSinceAClockIsCutAlike() throws {
        let changes = try Self.history(authors: [1], count: 900, seed: 11)
        let batch = TestKeys.sign(Array(changes.dropFirst(300)), store: Self.store, history: changes)
        let slices = try Self.check(batch, target: 100)
        #expect(slices.map(\.changes.count) == [212, 256, 132], "cut at seqs 512 and 768")
    }
}
