/// Constants of the sync protocol, version 3 (version 1's messages inside mutual TLS, and the
/// summed state digest of SPEC §8).
public enum SyncProtocol {
    /// The versions this implementation speaks. Version 1 was plain TCP; version 2 had a state
    /// digest a store could not keep up to date (SPEC §8, §10). Neither is spoken.
    public static let versions: ClosedRange<UInt64> = 3...3
    /// A server's HELLO capability telling a read-only device that it may only pull: it sends
    /// no changes in this session (SPEC §11.13).
    public static let pullOnlyCapability = "pull-only"
    /// A HELLO capability: the sender reads CHANGES compressed with raw DEFLATE (SPEC §11.4),
    /// and the peer may send them so.
    public static let deflateCapability = "deflate"
    /// A HELLO capability: the sender reads PING (SPEC §11.4), and the peer may send it while
    /// busy, to keep the sender's idle timeout from firing.
    public static let pingCapability = "ping"
    /// A HELLO capability: the sender rebuilds quotes sent by position from their articles
    /// (SPEC §11.4.2b). When both HELLOs name it, either side may send them so.
    public static let quotesByPositionCapability = "quotes-by-position"
    /// How often a busy side sends PING to a peer that named `ping`.
    public static let pingInterval: Duration = .seconds(5)
    /// Each side's byte stream starts with these 8 bytes, before any frame.
    public static let magic: [UInt8] = Array("GLOSSYNC".utf8)
    /// The default largest frame (type byte and body), checked before anything is buffered. It
    /// is also the smallest a peer may announce (SPEC §11.3), so a HELLO or an ERROR always fits.
    public static let maximumFrameSize = 16 * 1024 * 1024
    /// The largest CHANGES frame (type byte and body) a side sends or accepts: 16 bytes below
    /// the smallest frame limit, so that any change accepted can be forwarded alone in a frame,
    /// whatever its batch number (SPEC §11.3).
    public static let largestChangesFrame = maximumFrameSize - 16
    /// A batch is closed once it holds this many changes...
    public static let batchChangeLimit = 1000
    /// ...or this many encoded bytes, whichever comes first (a single larger change goes alone).
    public static let batchByteLimit = 1024 * 1024
    /// The default TCP port of `gloss serve`.
    public static let defaultPort = 7456
}
