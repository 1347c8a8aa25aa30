import NIOCore

/// Timeouts and limits of a sync endpoint. Tests shorten them.
public struct SyncLimits: Sendable {
    /// A connection must send its HELLO within this.
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// A session that receives nothing for this long ends.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// Sessions served at once; further connections get a `busy` error.
    public var maximumSessions = 64
    public var connectTimeout: TimeAmount = .seconds(10)

    public init() {}
}
