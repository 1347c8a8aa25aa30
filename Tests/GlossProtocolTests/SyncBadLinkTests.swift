import GlossCore
import Testing

@testable import GlossProtocol

/// The sans-I/O session over a simulated slow link (`SyncWorld.link`), with no sockets: the
/// scenarios of the network tests (issue 8), in simulated time.
@Suite("Sync over a slow, cut link, without sockets")
struct SyncBadLinkTests {
    /// 64 kbit/s with a 300 ms round trip: the field link of issue 8.
    static let fieldLink = (bytesPerSecond: 8_000.0, delay: Duration.milliseconds(150))

    static func world(changes: Int, seed: UInt64 = 1) throws -> SyncWorld {
        var world = try SyncConvergenceTests.lopsided(count: changes, limit: SyncProtocol.batchChangeLimit, seed: seed)
        world.link = fieldLink
        return world
    }

    /// Frame sizes of the CHANGES a side sent on one link.
    static func batchBytes(_ side: SyncWorld.Side) -> [Int] {
        side.sent.compactMap { message in
            guard case .changes = message else { return nil }
            return message.framed().count
        }
    }

    @Test func onAClearLinkBatchesGrowFromAFewKiBToAboutTwoSecondsOfTheLink() throws {
        var world = try Self.world(changes: 400)
        let link = world.sync(client: 0, server: 1)
        #expect(world.links[link].sides.allSatisfy { $0.outcome.map { !$0.diverged } == true })
        let sizes = Self.batchBytes(world.links[link].sides[0])
        #expect(sizes.count >= 4, "\(sizes)")
        #expect(sizes[0] <= BatchBudget.smallest + 1_000, "the first batch is small: \(sizes)")
        // Settled near 2 s of 8,000 B/s (the last batch is whatever was left).
        let settled = sizes.dropFirst(3).dropLast()
        #expect(settled.allSatisfy { $0 > 8_000 && $0 < 24_000 }, "\(sizes)")
        #expect(world.replicas[0].digest == world.replicas[1].digest)
    }

    /// A cut every `every` deliveries: each new connection resumes from the clocks, every cut
    /// re-sends at most the one batch that was in flight, and the replicas converge.
    @Test(arguments: [5, 9, 17] as [Int])
    func cutsEveryFewMessagesCostAtMostTheBatchInFlight(every: Int) throws {
        var world = try Self.world(changes: 2_000, seed: UInt64(every))
        let total = world.replicas[0].lacking(world.replicas[1].clock).count
        var sentChanges = 0
        var unacknowledgedChanges = 0
        var cuts = 0
        for _ in 0..<500 {
            let link = world.connect(client: 0, server: 1)
            var delivered = 0
            while world.hasPending(link) && delivered < every {
                world.deliverOldest(link)
                delivered += 1
            }
            let client = world.links[link].sides[0]
            let batches = client.sent.compactMap { message -> (UInt64, Int)? in
                guard case .changes(let number, let batch) = message else { return nil }
                return (number, batch.changes.count)
            }
            sentChanges += batches.map(\.1).reduce(0, +)
            let acknowledged = Set(client.acksReceived)
            let lost = batches.filter { !acknowledged.contains($0.0) }
            #expect(lost.count <= 1, "one batch in flight: \(lost)")
            unacknowledgedChanges += lost.map(\.1).reduce(0, +)
            if world.hasPending(link) {
                world.cut(link)
                cuts += 1
            } else {
                break
            }
        }
        #expect(cuts >= 2, "the cuts interrupted sessions")
        #expect(world.replicas[0].clock == world.replicas[1].clock && world.replicas[0].digest == world.replicas[1].digest)
        // Everything sent twice was in a batch in flight at a cut (a batch applied but whose
        // ACK was cut off is not sent again: the next HELLO's clock holds it).
        #expect(sentChanges - total <= unacknowledgedChanges, "\(sentChanges) sent for \(total), \(cuts) cuts")
    }
}
