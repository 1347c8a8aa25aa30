import GlossCore

/// How many bytes the next batch of changes may take, sized to the link (SPEC §11.7).
///
/// Only one batch is in flight, and a cut loses at most that one; so a batch should take about
/// `target` on the wire: small on a 64 kbit/s radio link, large on a LAN. The rate is learned
/// from each batch's round trip, CHANGES sent to ACK received, less the link's own round trip
/// (the shortest seen: the HELLO exchange, or a batch's), which a batch pays whatever its size.
/// The budget starts at `smallest`, at most doubles per batch, and drops at once to what a
/// slower rate allows.
///
///     var budget = BatchBudget()
///     budget.measuredRoundTrip(.milliseconds(300))              // the HELLO exchange
///     budget.acknowledged(frameBytes: 4_096, after: .milliseconds(812))
///     budget.bytes      // 8_192: 8,000 bytes a second for 2 s is 16,000, but it at most doubles
///     budget.acknowledged(frameBytes: 8_192, after: .seconds(4))
///     budget.bytes      // 4_428: 2 s at the 2,214 bytes a second this batch was sent at
public struct BatchBudget: Hashable, Sendable {
    /// A batch of a few KiB crosses even a 64 kbit/s link in about half a second.
    public static let smallest = 4 * 1024
    public static let largest = SyncProtocol.batchByteLimit
    /// How long a batch's bytes should take on the wire: long enough that the round trip
    /// between batches costs little, short enough that a cut costs little.
    public static let target: Duration = .seconds(2)

    public private(set) var bytes = BatchBudget.smallest
    /// The shortest round trip seen, nil before the first.
    public private(set) var roundTrip: Duration?

    public init() {}

    /// A budget learned before, on the same link (the session a cut ended): a reconnect goes
    /// on at the size the link allowed, not from 4 KiB. Clamped to the usual bounds.
    public init(bytes: Int) {
        self.bytes = max(Self.smallest, min(Self.largest, bytes))
    }

    /// A round trip that carried next to no bytes (a HELLO answered by a HELLO).
    public mutating func measuredRoundTrip(_ elapsed: Duration) {
        roundTrip = min(roundTrip ?? elapsed, elapsed)
    }

    /// A batch of `frameBytes` was acknowledged `elapsed` after it was sent.
    public mutating func acknowledged(frameBytes: Int, after elapsed: Duration) {
        measuredRoundTrip(elapsed)
        let doubled = min(bytes * 2, Self.largest)
        // The link's round trip is paid once per batch; at most 3/4 of this one is taken to be
        // it, as a batch's own round trip is an upper bound of the link's, not the link's.
        let sending = elapsed.inSeconds - min((roundTrip ?? .zero).inSeconds, 0.75 * elapsed.inSeconds)
        guard sending > 0 else {
            bytes = doubled
            return
        }
        let fits = Double(frameBytes) / sending * Self.target.inSeconds
        // A batch far below the budget (the last one, a few changes) measures mostly the round
        // trip, not the rate: it may grow the budget but never shrink it.
        if frameBytes < bytes / 2 && fits < Double(bytes) { return }
        bytes = max(Self.smallest, min(doubled, Int(fits.rounded(.down))))
    }
}
