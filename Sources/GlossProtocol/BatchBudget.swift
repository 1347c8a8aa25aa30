/// How many bytes the next batch of changes may take, sized to the link (SPEC §11.7).
///
/// Only one batch is in flight, and a cut loses at most that one; so a batch should take about
/// `target` on the wire: small on a 64 kbit/s radio link, large on a LAN. The rate is learned
/// from each batch's round trip, CHANGES sent to ACK received, which also counts the peer's
/// time to apply it. The budget starts at `smallest`, at most doubles per batch, and drops at
/// once to what a slower rate allows.
///
///     var budget = BatchBudget()
///     budget.acknowledged(frameBytes: 4_096, after: .milliseconds(400))
///     budget.bytes      // 8_192: 2 s at this rate is 20_480, but it at most doubles
///     budget.acknowledged(frameBytes: 8_192, after: .seconds(4))
///     budget.bytes      // 4_096: 2 s at 2,048 bytes a second
public struct BatchBudget: Hashable, Sendable {
    /// A batch of a few KiB crosses even a 64 kbit/s link in about half a second.
    public static let smallest = 4 * 1024
    public static let largest = SyncProtocol.batchByteLimit
    /// How long a batch should take, round trip included: long enough that the idle round trip
    /// between batches costs little, short enough that a cut costs little.
    public static let target: Duration = .seconds(2)

    public private(set) var bytes = BatchBudget.smallest

    public init() {}

    /// A batch of `frameBytes` was acknowledged `elapsed` after it was sent.
    public mutating func acknowledged(frameBytes: Int, after elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let doubled = min(bytes * 2, Self.largest)
        guard seconds > 0 else {
            bytes = doubled
            return
        }
        let targetSeconds = Double(Self.target.components.seconds) + Double(Self.target.components.attoseconds) / 1e18
        let fits = Double(frameBytes) / seconds * targetSeconds
        // A batch far below the budget (the last one, a few changes) measures mostly the round
        // trip, not the rate: it may grow the budget but never shrink it.
        if frameBytes < bytes / 2 && fits < Double(bytes) { return }
        bytes = max(Self.smallest, min(doubled, Int(fits.rounded(.down))))
    }
}
