import GlossCore
import GlossProtocol
import GlossTestSupport
import Testing

/// `DeliveryLedger` counts each change a run of cut sessions delivered exactly once, however
/// the cuts and the peer's late commits fall.
@Suite struct DeliveryLedgerTests {
    static let author = ReplicaID(high: 0, low: 7)

    static func dots(_ seqs: ClosedRange<UInt64>) -> [Dot] { seqs.map { Dot(replica: author, seq: $0) } }

    static func clock(_ seq: UInt64) -> VersionVector { VersionVector([author: seq]) }

    static func session(hello: UInt64?, acknowledged: ClosedRange<UInt64>? = nil, inFlight: ClosedRange<UInt64>? = nil)
        -> DeliveryLedger.Session
    {
        DeliveryLedger.Session(
            peerClockAtHello: hello.map(clock), acknowledgedChanges: acknowledged?.count ?? 0,
            acknowledgedThrough: acknowledged.map { clock($0.upperBound) } ?? VersionVector(),
            unacknowledged: inFlight.map(dots) ?? [])
    }

    /// The case CI met: a batch cut in flight, committed by the peer's old session only after
    /// the next session's HELLO, and that next session cut before it sent anything. The old
    /// count dropped the batch at that HELLO; it is delivered all the same.
    @Test func aBatchCommittedAfterTheNextHelloStillCounts() {
        var ledger = DeliveryLedger()
        ledger.record(Self.session(hello: 0, acknowledged: 1...10, inFlight: 11...20))
        ledger.record(Self.session(hello: 10))  // the peer had not committed 11...20 yet
        #expect(ledger.pending.count == 10)
        // By the last session's HELLO it had: only 21...30 are sent again.
        #expect(ledger.total(completing: Self.session(hello: 20), sent: 10) == 30)
    }

    /// A batch in doubt that a later session sends again and has acknowledged counts once,
    /// even when a later HELLO shows the peer holds it.
    @Test func aBatchSentAgainAndAcknowledgedCountsOnce() {
        var ledger = DeliveryLedger()
        ledger.record(Self.session(hello: 0, inFlight: 1...10))
        ledger.record(Self.session(hello: 0, acknowledged: 1...10, inFlight: 11...15))
        #expect(ledger.pending == Set(Self.dots(11...15)))
        #expect(ledger.total(completing: Self.session(hello: 15), sent: 5) == 20)
    }

    /// A cut before any HELLO leaves what was in doubt in doubt.
    @Test func aSessionCutBeforeItsHelloSettlesNothing() {
        var ledger = DeliveryLedger()
        ledger.record(Self.session(hello: 0, inFlight: 1...4))
        ledger.record(Self.session(hello: nil))
        #expect(ledger.delivered == 0 && ledger.pending.count == 4)
        #expect(ledger.total(completing: Self.session(hello: 4), sent: 0) == 4)
    }

    /// Random runs: sessions cut before their HELLO or mid-batch, batches in flight that the
    /// peer commits at once, later (before or after the next HELLO) or never. The ledger's total
    /// is always the number of changes the peer gained. With two authors their changes
    /// interleave in the feed, so a session acknowledges a prefix of each at once, and a batch
    /// in flight may hold changes of both.
    @Test(arguments: [1, 2], 0..<300)
    func theTotalIsWhatThePeerGained(authorCount: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed &+ UInt64(authorCount) * 10_000)
        let authors = [Self.author, ReplicaID(high: 0, low: 9)].prefix(authorCount)
        // The feed: each author's changes in ascending order, interleaved at random.
        var next = [UInt64](repeating: 1, count: authorCount)
        var feed: [Dot] = []
        for _ in 0..<(6 + random.below(50)) {
            let which = random.below(authorCount)
            feed.append(Dot(replica: authors[which], seq: next[which]))
            next[which] += 1
        }
        var peer = VersionVector()
        for dot in feed.prefix(random.below(4)) { peer[dot.replica] = dot.seq }
        let initial = peer
        var late: [Dot] = []  // a batch in flight that the peer commits later
        var ledger = DeliveryLedger()
        func commit(_ dots: [Dot]) {
            for dot in dots where dot.seq > peer[dot.replica] { peer[dot.replica] = dot.seq }
        }
        func maybeLand() {
            if !late.isEmpty, random.chance(50) {
                commit(late)
                late = []
            }
        }
        for _ in 0..<(1 + random.below(8)) {
            maybeLand()
            if random.chance(15) {
                ledger.record(Self.session(hello: nil))
                continue
            }
            let hello = peer
            var lacking = feed.filter { !hello.contains($0) }[...]
            var acknowledged: [Dot] = []
            var inFlight: [Dot] = []
            while !lacking.isEmpty {
                maybeLand()
                let batch = Array(lacking.prefix(1 + random.below(6)))
                lacking = lacking.dropFirst(batch.count)
                if random.chance(70) {
                    commit(batch)
                    acknowledged += batch
                    continue
                }
                inFlight = batch
                switch random.below(3) {
                case 0: commit(batch)
                case 1: late += batch
                default: break
                }
                break
            }
            var through = VersionVector()
            for dot in acknowledged where dot.seq > through[dot.replica] { through[dot.replica] = dot.seq }
            ledger.record(
                DeliveryLedger.Session(
                    peerClockAtHello: hello, acknowledgedChanges: acknowledged.count, acknowledgedThrough: through,
                    unacknowledged: inFlight))
        }
        maybeLand()
        let hello = peer
        let last = DeliveryLedger.Session(
            peerClockAtHello: hello, acknowledgedChanges: 0, acknowledgedThrough: VersionVector(), unacknowledged: [])
        let delivered = ledger.total(completing: last, sent: feed.count { !hello.contains($0) })
        #expect(delivered == feed.count { !initial.contains($0) }, "\(authorCount) authors, seed \(seed)")
    }
}
