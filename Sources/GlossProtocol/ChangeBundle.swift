import Crypto
import GlossCore

/// A file of changes for offline exchange, as `git bundle` is for commits: one store's changes,
/// in a causal order, signed by their authors, with a checksum.
///
/// Layout (format 2):
///
///     "GLOSSBDL"        8 bytes, ASCII
///     format version    u8 = 2
///     store id          16 bytes
///     replica table     varint count, ids ascending     }
///     change count      varint, then the changes        } a `SignedBatch`
///     checkpoint table  the authors' signatures         }
///     checksum          32 bytes: SHA-256 of every byte before it
///
/// Decoding checks, in this order: at least `minimumSize` bytes (`.truncated`), the magic
/// (`.badMagic`), the version (`.unsupportedVersion`), the checksum (`.checksumMismatch`), then
/// parses the batch, and refuses bytes between the last change and the checksum
/// (`.trailingBytes`). The checksum finds corruption; the authors' signatures, checked when the
/// bundle is applied (`SignedBatch.verify(store:)`), find forgery.
///
///     let bundle = ChangeBundle(storeID: store, changes: changes)
///     let bytes = bundle.encoded()
///     try ChangeBundle(decoding: bytes) == bundle   // true
///
/// Named `ChangeBundle`, not `Bundle`, so it never clashes with Foundation's `Bundle`.
public struct ChangeBundle: Hashable, Sendable {
    /// `GLOSSBDL` in ASCII.
    public static let magic: [UInt8] = Array("GLOSSBDL".utf8)
    /// The format this implementation writes, and the newest it reads.
    public static let formatVersion: UInt8 = 2
    /// The length of the SHA-256 checksum at the end.
    public static let checksumLength = 32
    /// Magic, version, store id, the smallest batch, an empty checkpoint table and the checksum:
    /// 60 bytes.
    public static let minimumSize = magic.count + 1 + 16 + ChangeBatch.minimumSize + 1 + checksumLength

    /// The store the changes belong to. A store is one shared collection; its replicas all have
    /// the same store id, and a bundle for another store must not be imported.
    public var storeID: StoreID
    /// The changes, in the order they are written and read (a causal order), and their
    /// authors' signatures.
    public var batch: SignedBatch

    public init(storeID: StoreID, batch: SignedBatch) {
        self.storeID = storeID
        self.batch = batch
    }

    public var changes: [Change] { batch.changes }

    /// The bundle's bytes. The same bundle always gives the same bytes.
    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        writer.writeBytes(Self.magic)
        writer.writeU8(Self.formatVersion)
        writer.writeID(storeID)
        batch.write(to: &writer)
        writer.writeBytes(SHA256.hash(data: writer.bytes))
        return writer.bytes
    }

    /// Reads a bundle, refusing anything `encoded()` would not have written.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        guard bytes.count >= Self.minimumSize else {
            throw ProtocolError(
                .truncated,
                "expected a bundle of at least \(Self.minimumSize) bytes, found \(bytes.count)",
                at: bytes.count)
        }
        guard bytes.starts(with: Self.magic) else {
            throw ProtocolError(
                .badMagic,
                "not a Gloss bundle: expected it to start with GLOSSBDL, found "
                    + bytes.prefix(Self.magic.count).map(hex).joined(separator: " "),
                at: 0)
        }
        let version = bytes[Self.magic.count]
        guard version <= Self.formatVersion else {
            throw ProtocolError(
                .unsupportedVersion,
                "bundle format \(version) is newer than this gloss, which reads format \(Self.formatVersion)",
                at: Self.magic.count)
        }
        // Format 0 was never written; it fails here as any other unreadable version would.
        guard version == Self.formatVersion else {
            throw ProtocolError(
                .unsupportedVersion,
                version == 1
                    ? "bundle format 1 holds unsigned changes, which this gloss no longer accepts; make the bundle again with this gloss"
                    : "expected bundle format \(Self.formatVersion), found \(version)", at: Self.magic.count)
        }
        let checksumStart = bytes.count - Self.checksumLength
        let body = bytes[..<checksumStart]
        guard SHA256.hash(data: body).elementsEqual(bytes[checksumStart...]) else {
            throw ProtocolError(
                .checksumMismatch,
                "the bundle is truncated or corrupt: its SHA-256 checksum does not match its contents",
                at: checksumStart)
        }
        var reader = WireReader(body)
        _ = try reader.readBytes(Self.magic.count + 1, "the magic and format version")
        storeID = try reader.readID("the store id")
        batch = try SignedBatch.read(from: &reader)
        try reader.expectEnd(after: "the checkpoint table, before the checksum")
    }

    /// The last reading step (SPEC §7.3): every change covered by its author's signature for
    /// this bundle's store. Returns each change's chain hash.
    public func verified() throws(ProtocolError) -> [ChainHash] {
        do {
            return try batch.verify(store: storeID)
        } catch {
            throw ProtocolError(error.code == .badSignature ? .badSignature : .unsignedChange, error.message, at: 0)
        }
    }
}
