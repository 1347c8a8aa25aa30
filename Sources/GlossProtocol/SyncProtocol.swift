/// Constants of the sync protocol, version 1.
public enum SyncProtocol {
    /// The versions this implementation speaks.
    public static let versions: ClosedRange<UInt64> = 1...1
    /// Each side's byte stream starts with these 8 bytes, before any frame.
    public static let magic: [UInt8] = Array("GLOSSYNC".utf8)
    /// The default largest frame (type byte and body), checked before anything is buffered.
    public static let maximumFrameSize = 16 * 1024 * 1024
    /// A batch is closed once it holds this many changes...
    public static let batchChangeLimit = 1000
    /// ...or this many encoded bytes, whichever comes first (a single larger change goes alone).
    public static let batchByteLimit = 1024 * 1024
    /// The default TCP port of `gloss serve`.
    public static let defaultPort = 7456
}
