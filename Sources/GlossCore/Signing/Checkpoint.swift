import Crypto

/// An author's Ed25519 public key, which its replica id is the hash of (SPEC §4.1): so a key
/// that arrives with a change proves itself, and a replica never met before is checked as
/// surely as one trusted by hand.
public struct AuthorKey: Hashable, Sendable {
    public static let length = 32
    public let bytes: [UInt8]

    /// Nil unless `bytes` is 32 bytes long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = Array(bytes)
    }

    /// The replica id this key belongs to.
    public var replicaID: ReplicaID { ID128.derived(fromPublicKey: bytes) }

    /// True when `signature` is this key's Ed25519 signature of `message` (RFC 8032).
    public func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == Checkpoint.signatureLength,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
        else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// An author's signature over its history up to change `seq` (SPEC §6.6): Ed25519 over
///
///     "gloss-checkpoint-v1" || 0x00 || store id || author id || u64be(seq) || chain(author, seq)
///
/// The store id keeps a signature from being replayed into another store; the chain hash
/// (`ChainHash`) makes it cover every earlier change of the author.
public struct Checkpoint: Hashable, Sendable {
    public static let signatureLength = 64
    static let domain = Array("gloss-checkpoint-v1\0".utf8)

    public let seq: UInt64
    public let signature: [UInt8]

    public init(seq: UInt64, signature: [UInt8]) {
        self.seq = seq
        self.signature = signature
    }

    /// The bytes an author signs to vouch for its history `chain` up to `seq` in `store`.
    public static func message(store: StoreID, author: ReplicaID, seq: UInt64, chain: ChainHash) -> [UInt8] {
        var message = domain
        message += store.bytes
        message += author.bytes
        message += ID128.bigEndianBytes(seq)
        message += chain.bytes
        return message
    }
}

/// `chain(r, clock[r])` and r's checkpoint signature of it, as a HELLO's sender holds them
/// (SPEC §11.4.1): what lets two replicas at equal clocks with different histories notice.
public struct SignedHead: Hashable, Sendable {
    public var chain: ChainHash
    /// 64 zero bytes when the sender holds no signature for it.
    public var signature: [UInt8]

    public init(chain: ChainHash, signature: [UInt8]) {
        self.chain = chain
        self.signature = signature
    }

    /// A zero hash and no signature: for tests of the session, which never reads heads.
    public static let unsigned = SignedHead(chain: .zero, signature: [UInt8](repeating: 0, count: Checkpoint.signatureLength))
}
