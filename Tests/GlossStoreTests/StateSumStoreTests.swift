import Foundation
import GlossCore
import GlossTestSupport
import Testing

@testable import GlossStore

/// The store keeps the state digest's sum (SPEC §8) in a row of its own, updated with every
/// change; the digest of a sync is read from it. These check it is filled on upgrade and that
/// `verify` notices when it no longer adds up.
@Suite struct StateSumStoreTests {
    /// A store with a random history of four replicas: conflicts, deletes, tags.
    static func storeWithHistory(in folder: TemporaryFolder, seed: UInt64) throws -> GlossStore {
        var random = SplitMix64(seed: seed)
        let everything = RandomHistory.union(try RandomHistory.replicas(count: 4, steps: 80, using: &random))
        let store = try GlossStore.create(at: folder.file("store.sqlite"), name: nil)
        let ordered = CausalOrder.arrange(everything, after: VersionVector()).ready
        try store.apply(TestKeys.sign(ordered, store: store.identity.storeID, history: everything))
        return store
    }

    @Test func aStoreWrittenBeforeTheSumGetsItOnUpgrade() throws {
        let folder = try TemporaryFolder()
        let store = try Self.storeWithHistory(in: folder, seed: 5)
        let expected = StateDigest.of(try store.state())
        #expect(try store.digest().digest == expected)
        for sql in ["DROP TABLE state_sum", "DELETE FROM grdb_migrations WHERE identifier = 'v10-state-sum'"] {
            try SQLiteShell.execute(sql, on: store.path)
        }
        let upgraded = try GlossStore.open(at: store.path)
        #expect(try upgraded.digest().digest == expected)
        #expect(try upgraded.verify().problems.isEmpty)
    }

    @Test func verifyFindsASumThatNoLongerAddsUp() throws {
        let folder = try TemporaryFolder()
        let store = try Self.storeWithHistory(in: folder, seed: 6)
        #expect(try store.verify().problems.isEmpty)
        try SQLiteShell.execute("UPDATE state_sum SET total = zeroblob(32)", on: store.path)
        let problems = try GlossStore.open(at: store.path).verify().problems
        #expect(problems.contains("the stored state digest differs from the stored state"), "\(problems)")
        #expect(problems.contains("the stored entity hashes differ from the stored state digest"), "\(problems)")
    }

    /// A rebuilt state (a store restored or re-keyed replays its log) starts its sum from zero.
    @Test func aRebuiltStateKeepsItsSum() throws {
        let folder = try TemporaryFolder()
        let store = try Self.storeWithHistory(in: folder, seed: 7)
        let expected = try store.digest().digest
        try store.database.write { db in try GlossStore.rebuildState(in: db) }
        #expect(try store.digest().digest == expected)
        #expect(try store.verify().problems.isEmpty)
    }
}

/// Local commits rewrite only what changed of each entity (`EntityRows.save` given the rows it
/// replaces): after random edits over merged remote histories, the rows, their hashes, the kept
/// sum and the conflict counts must still be what replaying the log gives.
@Suite struct PartialRewriteTests {
    @Test(arguments: [11, 12, 13] as [UInt64])
    func localEditsOverMergedHistoriesLeaveNoStaleRow(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("store.sqlite"), name: nil)
        let remote = RandomHistory.union(try RandomHistory.replicas(count: 3, steps: 60, using: &random))
        let ordered = CausalOrder.arrange(remote, after: VersionVector()).ready
        var delivered = 0
        for step in 0..<120 {
            if step % 10 == 0, delivered < ordered.count {
                let end = min(ordered.count, delivered + 1 + random.below(30))
                try store.apply(TestKeys.sign(Array(ordered[delivered..<end]), store: store.identity.storeID, history: remote))
                delivered = end
            }
            let state = try store.state()
            let dot = Dot(replica: store.identity.replicaID, seq: state.clock[store.identity.replicaID] + 1)
            guard let operations = RandomEdits.operations(on: state, at: dot, using: &random) else { continue }
            _ = try store.commit(time: UInt64(step + 1)) { _ in operations }
        }
        let verification = try store.verify()
        #expect(verification.problems.isEmpty, "seed \(seed): \(verification.problems)")
        var replayed = ReplicaState()
        for change in CausalOrder.arrange(try store.changes(), after: VersionVector()).ready { try replayed.apply(change) }
        #expect(try store.state() == replayed, "seed \(seed)")
    }
}
