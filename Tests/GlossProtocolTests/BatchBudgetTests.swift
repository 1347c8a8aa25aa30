import GlossCore
import Testing

@testable import GlossProtocol

@Suite("Batch budget") struct BatchBudgetTests {
    /// Acknowledges full batches on a link of `rate` bytes a second with round trip `rtt`, `count`
    /// times, and returns the budgets it went through. A client measured the round trip with
    /// its HELLO first; a server learns it from the batches alone.
    static func budgets(rate: Double, rtt: Duration, count: Int, measuredHello: Bool = true) -> [Int] {
        var budget = BatchBudget()
        if measuredHello { budget.measuredRoundTrip(rtt) }
        var seen: [Int] = []
        for _ in 0..<count {
            let bytes = budget.bytes
            budget.acknowledged(frameBytes: bytes, after: rtt + .seconds(Double(bytes) / rate))
            seen.append(budget.bytes)
        }
        return seen
    }

    @Test func aSlowLinkSettlesOnBatchesOfAboutTwoSecondsOnTheWire() {
        // 64 kbit/s is 8,000 bytes a second: 2 s of it is 16,000 bytes, round trip aside.
        let settled = Self.budgets(rate: 8_000, rtt: .milliseconds(300), count: 30).last!
        #expect(abs(settled - 16_000) < 100, "\(settled)")
        // Without a HELLO to measure the round trip by, a little larger: 2.5 s on the wire.
        let server = Self.budgets(rate: 8_000, rtt: .milliseconds(300), count: 30, measuredHello: false).last!
        #expect(abs(server - 20_100) < 300, "\(server)")
    }

    @Test func aFastLinkGrowsToTheLargestBatchByDoubling() {
        let seen = Self.budgets(rate: 100_000_000, rtt: .microseconds(200), count: 12)
        #expect(seen.prefix(3) == [8_192, 16_384, 32_768])
        #expect(seen.last == BatchBudget.largest)
    }

    @Test func aLinkThatSlowsDownShrinksTheBudgetAtOnce() {
        var budget = BatchBudget()
        for _ in 0..<10 { budget.acknowledged(frameBytes: budget.bytes, after: .milliseconds(1)) }
        #expect(budget.bytes == BatchBudget.largest)
        // A full batch that took 100 s (the 1 ms round trip aside): 2 s of it is 20,971 bytes.
        budget.acknowledged(frameBytes: BatchBudget.largest, after: .seconds(100) + .milliseconds(1))
        #expect(budget.bytes == 20_971)
        // Never below the smallest, however slow.
        budget.acknowledged(frameBytes: budget.bytes, after: .seconds(3600))
        #expect(budget.bytes == BatchBudget.smallest)
    }

    @Test func aSmallLastBatchMeasuresTheRoundTripAndDoesNotShrinkTheBudget() {
        var budget = BatchBudget()
        for _ in 0..<4 { budget.acknowledged(frameBytes: budget.bytes, after: .milliseconds(100)) }
        let before = budget.bytes
        budget.acknowledged(frameBytes: 300, after: .milliseconds(300))
        #expect(budget.bytes == before)
    }

    @Test func noElapsedTimeCountsAsAFastLink() {
        var budget = BatchBudget()
        budget.acknowledged(frameBytes: budget.bytes, after: .zero)
        #expect(budget.bytes == 2 * BatchBudget.smallest)
    }

    /// The session learns from its own batches: the ACK's time, less the send's, sizes the next.
    @Test func theSessionSizesTheNextBatchFromTheLastOnesRoundTrip() {
        let change = Change(
            id: Dot(replica: SyncFixtures.alice, seq: 1), dependencies: VersionVector(), time: 0,
            operations: [.keepAnnotation(id: RawBytes.article)])
        var session = SyncSessionTests.syncing()
        #expect(session.batchByteLimit == BatchBudget.smallest)
        guard case .sendFrame(_, let frame) = session.send(batch: [change], isLast: false, at: .seconds(10)).first else {
            Issue.record("no batch sent")
            return
        }
        let next = session.receive(.ack(batch: 1), at: .seconds(10) + .milliseconds(1))
        #expect(next == [.needBatch(byteLimit: 2 * BatchBudget.smallest)], "a fast round trip doubles it")
        #expect(session.batchBytesSent == frame.count && session.batchBytesAcknowledged == frame.count)
    }

    /// A reconnect starts at what the cut session learned, within the usual bounds.
    @Test func aResumedSessionStartsAtTheLearnedBudget() {
        var session = SyncSessionTests.syncing()
        session.resume(budget: 20_000, compressionRatio: 3)
        #expect(session.budget.bytes == 20_000 && session.batchByteLimit == 60_000)
        session.resume(budget: 10, compressionRatio: 100)
        #expect(session.budget.bytes == BatchBudget.smallest && session.compressionRatio == 8)
        session.resume(budget: .max, compressionRatio: 0.5)
        #expect(session.budget.bytes == BatchBudget.largest && session.compressionRatio == 1)
    }
}
