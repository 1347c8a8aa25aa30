import GlossCore
import GlossProtocol
import NIOCore

/// Timeouts and limits of a sync endpoint. Tests shorten them.
public struct SyncLimits: Sendable {
    /// A connection must send its HELLO within this.
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// A session that receives no complete frame for this long ends. Batches are sized to take
    /// about two seconds (`BatchBudget`), so on a live link frames come far more often. A client
    /// sets a shorter one (`gloss sync --stall-timeout`, 20 s), its watchdog: it replaces a
    /// connection stuck in TCP's retransmission back-off after a cut rather than wait it out.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// Sessions served at once; further connections get a `busy` error.
    public var maximumSessions = 64
    public var connectTimeout: TimeAmount = .seconds(10)
    /// How often a side busy with its store sends PING to a peer that named `ping`.
    public var pingInterval: Duration = SyncProtocol.pingInterval
    /// A client ends its session at this instant, wherever it stands (`gloss sync --timeout`):
    /// it tells the peer and closes, and the report is a `.timeout` with `connectionLost`.
    /// Without it, only the timeouts above bound an attempt.
    public var deadline: ContinuousClock.Instant?

    public init() {}
}

extension TimeAmount {
    /// The span in words for a message: "1 second", "20 seconds", "2.5 seconds".
    var inWords: String {
        nanoseconds % 1_000_000_000 == 0 ? counted(nanoseconds / 1_000_000_000, "second") : "\(Double(nanoseconds) / 1e9) seconds"
    }
}
