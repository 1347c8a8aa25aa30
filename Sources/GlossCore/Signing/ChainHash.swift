import Crypto

/// `chain(A, s)`: one hash of author A's whole history up to its change `s` (SPEC §6.6).
///
///     chain(A, 0) = 32 zero bytes
///     chain(A, s) = SHA-256("gloss-chain-v1" || 0x00 || chain(A, s − 1) || change s as a one-change batch)
///
/// An author signs a chain hash, not a change, so one signature covers every change before it:
/// nobody can alter, drop or reorder the middle of a signed history without the hash changing.
/// Two different chain hashes for one (author, seq), each under the author's signature, prove
/// that the author forked its history.
public struct ChainHash: Hashable, Sendable, CustomStringConvertible {
    public static let length = 32
    /// `chain(A, 0)`: the hash before an author's first change.
    public static let zero = ChainHash(unchecked: [UInt8](repeating: 0, count: length))
    static let domain = Array("gloss-chain-v1\0".utf8)

    public let bytes: [UInt8]

    /// Nil unless `bytes` is 32 bytes long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = Array(bytes)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// `chain(A, s)`, when `self` is `chain(A, s − 1)` and `change` is A's change `s`.
    public func extended(with change: Change) -> ChainHash {
        var hasher = SHA256()
        hasher.update(data: Self.domain)
        hasher.update(data: bytes)
        hasher.update(data: change.canonicalBytes)
        return ChainHash(unchecked: Array(hasher.finalize()))
    }

    public var hex: String { StateDigest.hex(bytes) }

    public var description: String { hex }
}
