import Crypto

/// A 128-bit identifier: replicas, stores, articles and annotations are all named by one.
///
/// Ids print as 32 lowercase hex digits and sort by their bytes, so every replica orders them
/// the same way. They are made in three ways, none of which needs coordination:
/// - a replica id is derived from its signing key (`ID128.derived(fromPublicKey:)`);
/// - an article id from its normalized text (`ArticleText.id(of:)`);
/// - an annotation id from the change that created it (`ID128.annotation(createdAt:index:)`).
///
///     let id = ID128(hex: "00112233445566778899aabbccddeeff")!
///     id.hex  // "00112233445566778899aabbccddeeff"
public struct ID128: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads exactly 16 bytes, big-endian; nil for any other count.
    /// Inlinable so that each caller gets it specialized for its collection (`Data` from a row,
    /// `[UInt8]`): unspecialized, the generic iteration was a quarter of `gloss status`.
    @inlinable
    public init?<Bytes: Collection<UInt8>>(bytes: Bytes) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var index = 0
        for byte in bytes {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            index += 1
        }
        self.init(high: high, low: low)
    }

    /// Parses 32 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var index = 0
        while index < 32 {
            guard let upper = Self.nibble(digits[index]), let lower = Self.nibble(digits[index + 1]) else {
                return nil
            }
            bytes.append(upper << 4 | lower)
            index += 2
        }
        self.init(bytes: bytes)
    }

    public var bytes: [UInt8] {
        (0..<16).map { index in
            index < 8
                ? UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
                : UInt8(truncatingIfNeeded: low >> (56 - 8 * (index - 8)))
        }
    }

    public var hex: String {
        let alphabet = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for byte in bytes {
            out.append(alphabet[Int(byte >> 4)])
            out.append(alphabet[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (lhs: ID128, rhs: ID128) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The first 16 bytes of SHA-256 over `domain` then `payload`; the domain keeps the
    /// different kinds of derived id apart.
    public static func hashing(domain: String, _ payload: [UInt8]) -> ID128 {
        var hasher = SHA256()
        hasher.update(data: Array(domain.utf8))
        hasher.update(data: payload)
        return ID128(bytes: Array(hasher.finalize().prefix(16)))!
    }

    /// A replica id: the first 16 bytes of SHA-256 over "gloss-replica" and the raw 32-byte
    /// Ed25519 public key, so a peer that later presents the key can be checked against the id.
    public static func derived(fromPublicKey publicKey: [UInt8]) -> ID128 {
        hashing(domain: "gloss-replica", publicKey)
    }

    /// The id of the annotation created by operation `index` of change `dot`: unique without
    /// coordination because dots are, and the same on every replica that applies that change.
    public static func annotation(createdAt dot: Dot, index: Int) -> ID128 {
        var payload = dot.replica.bytes
        payload += bigEndianBytes(dot.seq)
        payload += bigEndianBytes(UInt64(index))
        return hashing(domain: "gloss-annotation", payload)
    }

    /// `u64be`: the 8 big-endian bytes of `value`, as ids and signatures hash numbers.
    static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

public typealias ReplicaID = ID128
public typealias StoreID = ID128
public typealias EntityID = ID128
