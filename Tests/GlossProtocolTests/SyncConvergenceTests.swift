import GlossCore
import GlossProtocol
import Testing

/// Replicas that sync pairwise through connections that are cut mid-session must lose nothing
/// and converge (SPEC §11.10). Inside one connection messages keep their order and are never
/// repeated, as TCP's are; across connections batches are re-sent and changes reach a replica
/// by several paths, which is where dropping, duplication and reordering happen.
@Suite("Sync convergence and resumption")
struct SyncConvergenceTests {
    static let seeds = Array(UInt64(1)...UInt64(60))

    @Test("3–5 replicas, concurrent sessions cut at random, then one uninterrupted round: equal digests", arguments: seeds)
    func convergence(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let count = Int.random(in: 3...5, using: &random)
        var world = SyncWorld(
            replicas: (1...count).map { SyncTestReplica(number: UInt64($0)) },
            batchChangeLimit: Int.random(in: 1...5, using: &random))
        var open: [Int] = []
        var cuts = 0
        var completed = 0
        for _ in 0..<600 {
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 20 {
                let replica = Int.random(in: 0..<count, using: &random)
                try world.replicas[replica].editRandomly(using: &random)
            } else if roll < 30 && open.count < 3 {
                let client = Int.random(in: 0..<count, using: &random)
                let server = (client + Int.random(in: 1..<count, using: &random)) % count
                open.append(world.connect(client: client, server: server))
            } else if roll < 36, let link = open.randomElement(using: &random) {
                world.cut(link)  // wherever it was: before HELLO, mid-batch, between ACK and SUMMARY
                cuts += 1
            } else if let link = open.filter({ world.hasPending($0) }).randomElement(using: &random) {
                let sides = (0..<2).filter { !world.links[link].sides[$0].outbox.isEmpty }
                world.deliver(link, from: sides.randomElement(using: &random)!)
            }
            for link in open where !world.hasPending(link) {
                for side in world.links[link].sides {
                    #expect(side.failure == nil, "seed \(seed): link \(link) failed: \(String(describing: side.failure))")
                    if let outcome = side.outcome {
                        #expect(!outcome.diverged, "seed \(seed): link \(link) diverged")
                    }
                }
                if world.links[link].sides.allSatisfy(\.isFinished) { completed += 1 }
            }
            open.removeAll { !world.hasPending($0) }
        }
        for link in open { world.cut(link) }

        // Every change any replica wrote is still held by its author, cut or not.
        var everything: Set<Dot> = []
        for replica in world.replicas { everything.formUnion(replica.log.map(\.id)) }

        // A final round of uninterrupted sessions: everyone with replica 0, twice over.
        for _ in 0..<2 {
            for replica in 1..<count {
                let link = world.sync(client: replica, server: 0)
                for side in world.links[link].sides {
                    #expect(
                        side.outcome.map { !$0.diverged } == true,
                        "seed \(seed): final session \(replica)–0 did not finish cleanly: \(String(describing: side.failure))")
                }
            }
        }
        let digests = Set(world.replicas.map(\.digest))
        #expect(
            digests.count == 1,
            "seed \(seed): \(count) replicas ended with \(digests.count) digests (\(cuts) cuts, \(completed) sessions completed)")
        #expect(world.replicas.allSatisfy { $0.clock == world.replicas[0].clock }, "seed \(seed)")
        #expect(world.replicas.allSatisfy { Set($0.log.map(\.id)) == everything }, "seed \(seed): a change was lost")
        // Once converged, a session is the one-round-trip fast path.
        let link = world.sync(client: count - 1, server: 0)
        #expect(world.links[link].sides.map(\.kindsSent) == [[.hello], [.hello]], "seed \(seed)")
    }

    /// The client has `count` changes the server lacks, sent `limit` a batch.
    static func lopsided(count: Int, limit: Int, seed: UInt64 = 1) throws -> SyncWorld {
        SyncWorld(replicas: try SyncSessionTests.pair(seed: seed, shared: 2, onlyA: count, onlyB: 0), batchChangeLimit: limit)
    }

    static func changesSent(_ side: SyncWorld.Side) -> [Change] {
        side.sent.flatMap { message -> [Change] in if case .changes(_, let batch) = message { batch.changes } else { [] } }
    }

    @Test(
        "a connection cut after any delivery: what was applied stays, and the next session re-sends at most one batch",
        arguments: Array(0..<16))
    func resumption(cutAfter deliveries: Int) throws {
        var world = try Self.lopsided(count: 9, limit: 2)
        let first = world.connect(client: 0, server: 1)
        for _ in 0..<deliveries where world.hasPending(first) { world.deliverOldest(first) }
        let heldAtCut = world.replicas[1].clock
        let appliedBatches = world.links[first].sides[1].appliedBatches
        world.cut(first)
        // Every batch the server applied is held, whether or not its ACK got through.
        let applied = Self.changesSent(world.links[first].sides[0]).prefix(appliedBatches.count * 2)
        #expect(applied.allSatisfy { heldAtCut.contains($0.id) }, "cut after \(deliveries)")

        let second = world.sync(client: 0, server: 1)
        let before = Set(Self.changesSent(world.links[first].sides[0]).map(\.id))
        let resent = Self.changesSent(world.links[second].sides[0]).filter { before.contains($0.id) }
        #expect(resent.count <= 2, "cut after \(deliveries): \(resent.count) changes re-sent")
        #expect(resent.allSatisfy { !heldAtCut.contains($0.id) }, "nothing the server held is re-sent")
        #expect(world.replicas[0].digest == world.replicas[1].digest)
        #expect(world.links[second].sides.allSatisfy { $0.outcome != nil })
    }

    @Test("cut after a batch was applied but before its ACK arrived: the next session does not re-send it")
    func cutBeforeAck() throws {
        var world = try Self.lopsided(count: 6, limit: 2)
        let first = world.connect(client: 0, server: 1)
        // HELLO →, ← HELLO, ← END (the server has nothing), CHANGES 1 →: the server applies it and queues ACK 1.
        while world.links[first].sides[1].appliedBatches.isEmpty { world.deliverOldest(first) }
        #expect(world.links[first].sides[1].outbox.last?.message == .ack(batch: 1))
        let batch1 = Self.changesSent(world.links[first].sides[0])
        world.cut(first)
        let second = world.sync(client: 0, server: 1)
        let sent = Self.changesSent(world.links[second].sides[0])
        #expect(sent.count == 4)
        #expect(Set(sent.map(\.id)).isDisjoint(with: batch1.map(\.id)))
    }

    @Test("cut while a batch was in flight: the next session starts with those changes again")
    func cutInFlight() throws {
        var world = try Self.lopsided(count: 6, limit: 2)
        let first = world.connect(client: 0, server: 1)
        while world.links[first].sides[0].batchesSent.count < 2 { world.deliverOldest(first) }
        let batch2 = Array(Self.changesSent(world.links[first].sides[0]).suffix(2))
        world.cut(first)  // batch 2 never arrived
        let second = world.sync(client: 0, server: 1)
        guard case .changes(1, let resent) = world.links[second].sides[0].sent.dropFirst().first else {
            Issue.record("\(world.links[second].sides[0].kindsSent)")
            return
        }
        #expect(resent.changes == batch2)
        #expect(world.replicas[0].digest == world.replicas[1].digest)
    }

    @Test("a change reaching a replica by two paths at once is applied once", arguments: Array(UInt64(1)...UInt64(10)))
    func twoPaths(seed: UInt64) throws {
        // A's changes reach C directly and through B, in two sessions running at the same time.
        var random = SeededGenerator(seed: seed)
        var a = SyncTestReplica(number: 1)
        try SyncSessionTests.edit(&a, 8, &random)
        var b = SyncTestReplica(number: 2)
        try b.receive(a.log)
        var world = SyncWorld(replicas: [a, b, SyncTestReplica(number: 3)], batchChangeLimit: 3)
        let direct = world.connect(client: 2, server: 0)
        let relayed = world.connect(client: 2, server: 1)
        while world.hasPending(direct) || world.hasPending(relayed) {
            let link = [direct, relayed].filter { world.hasPending($0) }.randomElement(using: &random)!
            world.deliverOldest(link)
        }
        for link in [direct, relayed] {
            #expect(world.links[link].sides.allSatisfy { $0.outcome != nil }, "seed \(seed)")
        }
        let received = world.links[direct].sides[0].outcome!.receivedChanges + world.links[relayed].sides[0].outcome!.receivedChanges
        #expect(received == 8, "seed \(seed): each change counted as new once")
        #expect(world.replicas[2].log.count == 8)
        #expect(world.replicas[2].digest == world.replicas[0].digest)
    }
}
