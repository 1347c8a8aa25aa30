import GlossCore

/// How many changes a run of sessions delivered to one peer, when cuts end some of them.
///
/// A batch cut off in flight may still have been committed by the peer, without its ACK
/// arriving. The next HELLO's clock tells, but only once the peer's old session has finished
/// committing it: under load, the new HELLO can come first. A change in flight is therefore
/// kept *pending* until a later clock shows it (then it counts as delivered), or a later
/// session re-sends it and has that acknowledged (then that session's count holds it). It is
/// never dropped on a HELLO that does not show it yet, which once under-counted a day sent
/// through cuts by a whole batch.
///
///     var ledger = DeliveryLedger()
///     ledger.record(failedSession)              // for each session a cut ended
///     let sent = ledger.total(completing: last, sent: changesTheLastSessionSent)
public struct DeliveryLedger: Sendable, Equatable {
    /// What one session reports for the ledger.
    public struct Session: Sendable, Equatable {
        /// The clock the peer announced in its HELLO; nil if the session did not get that far.
        public var peerClockAtHello: VersionVector?
        /// Changes in the batches the peer acknowledged.
        public var acknowledgedChanges: Int
        /// Per author, the highest seq the peer acknowledged in this session: a session sends
        /// each author's changes in ascending order from the HELLO's clock, and ACKs cover a
        /// prefix of what it sent, so it acknowledged exactly the seqs above the HELLO's entry
        /// up to this one.
        public var acknowledgedThrough: VersionVector
        /// The batch in flight when the session ended.
        public var unacknowledged: [Dot]

        public init(
            peerClockAtHello: VersionVector?, acknowledgedChanges: Int, acknowledgedThrough: VersionVector, unacknowledged: [Dot]
        ) {
            self.peerClockAtHello = peerClockAtHello
            self.acknowledgedChanges = acknowledgedChanges
            self.acknowledgedThrough = acknowledgedThrough
            self.unacknowledged = unacknowledged
        }
    }

    /// Changes known delivered by the sessions recorded so far.
    public private(set) var delivered = 0
    /// Changes sent and never acknowledged, that no clock has shown the peer holding yet.
    public private(set) var pending: Set<Dot> = []

    public init() {}

    /// Takes in a session that ended without completing.
    public mutating func record(_ session: Session) {
        settle(against: session.peerClockAtHello)
        delivered += session.acknowledgedChanges
        // Re-sent by this session and acknowledged: counted just above.
        pending = pending.filter { session.acknowledgedThrough[$0.replica] < $0.seq }
        pending.formUnion(session.unacknowledged)
    }

    /// Everything the run delivered, given the session that completed it (all it sent was
    /// acknowledged; it re-sent whatever pending change its HELLO did not show).
    public func total(completing session: Session, sent: Int) -> Int {
        var ledger = self
        ledger.settle(against: session.peerClockAtHello)
        return ledger.delivered + sent
    }

    /// Pending changes the peer's clock shows it holds were delivered by an earlier session.
    private mutating func settle(against clock: VersionVector?) {
        guard let clock else { return }
        let shown = pending.filter { clock.contains($0) }
        delivered += shown.count
        pending.subtract(shown)
    }
}
