/// Why bytes could not be read as Gloss protocol data: a stable code, a message that says what
/// was expected and what was found, and the byte offset where reading stopped.
///
/// Match on the code, never on the message; codes are stable, and new codes break no caller
/// because `Code` is a struct, not an enum. Each code also has a stable number, listed in the
/// error table of Protocol/SPEC.md, so a peer can send it over the wire.
///
///     do {
///         let bundle = try ChangeBundle(decoding: bytes)
///     } catch where error.code == .checksumMismatch {
///         print("the file is truncated or corrupt")
///     }
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, numbered reason. `rawValue` is the number from the SPEC error table; `name` is
    /// the spelling used in Protocol/test-vectors/vectors.json.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt16

        /// Any number is accepted, so a code sent by a newer peer can still be carried.
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The name of a known code, or `code-N` for a number this build does not know.
        public var name: String { Self.names[rawValue] ?? "code-\(rawValue)" }

        public var description: String { name }

        /// The bytes ended before the value being read did.
        public static let truncated = Code(rawValue: 1)
        /// The first 8 bytes are not the magic: `GLOSSBDL` for a bundle, `GLOSSYNC` for a sync
        /// connection. The input is not Gloss's at all (an HTTP request, say).
        public static let badMagic = Code(rawValue: 2)
        /// The format version is newer than this implementation reads.
        public static let unsupportedVersion = Code(rawValue: 3)
        /// The trailing SHA-256 does not match the bytes before it.
        public static let checksumMismatch = Code(rawValue: 4)
        /// A varint has a redundant final zero group (`80 00` for 0): only the shortest form is valid.
        public static let nonCanonicalVarint = Code(rawValue: 5)
        /// A varint is longer than 10 bytes or its value exceeds 2^64 - 1.
        public static let varintOverflow = Code(rawValue: 6)
        /// A string's bytes are not valid UTF-8.
        public static let invalidUTF8 = Code(rawValue: 7)
        /// An operation kind byte this format version does not define.
        public static let unknownOperation = Code(rawValue: 8)
        /// A field byte of a `set` operation this format version does not define.
        public static let unknownField = Code(rawValue: 9)
        /// A replica index is not an index into the replica table.
        public static let badReplicaIndex = Code(rawValue: 10)
        /// The replica table is not strictly ascending (unsorted, or an id appears twice).
        public static let unsortedReplicaTable = Code(rawValue: 11)
        /// A change's dependencies are not strictly ascending by replica index.
        public static let unsortedDependencies = Code(rawValue: 12)
        /// A sequence number (of a change or of a dependency) is 0; they start at 1.
        public static let zeroSequence = Code(rawValue: 13)
        /// A change has no operations.
        public static let emptyChange = Code(rawValue: 14)
        /// A count promises more items than the bytes left could hold, or more than fits in memory.
        public static let countTooLarge = Code(rawValue: 15)
        /// Bytes are left over after the last value.
        public static let trailingBytes = Code(rawValue: 16)
        /// A change lists its own author among its dependencies (the author's entry is implied).
        public static let dependencyOnAuthor = Code(rawValue: 17)
        /// The replica table lists a replica that no change names, so the encoding is not canonical.
        public static let unusedReplica = Code(rawValue: 18)
        /// A checkpoint table's runs are not in strictly ascending author order, a run has no
        /// checkpoint, or its checkpoints are not in strictly ascending seq order (SPEC §6.6).
        public static let unsortedRuns = Code(rawValue: 19)

        // Sync over TCP (SPEC §11). Sent in ERROR messages; what follows each is in the SPEC.
        /// A frame's length prefix is 0 or above the receiver's maximum frame size.
        public static let frameTooLarge = Code(rawValue: 32)
        /// The peer's HELLO names another store.
        public static let storeMismatch = Code(rawValue: 33)
        /// A message type this protocol version does not define.
        public static let unknownMessage = Code(rawValue: 34)
        /// A message the session state does not allow now (e.g. CHANGES before HELLO).
        public static let unexpectedMessage = Code(rawValue: 35)
        /// A change in a batch needs changes the receiver neither holds nor received before it.
        public static let missingPredecessors = Code(rawValue: 36)
        /// A change reuses the dot of a held change with other content.
        public static let equivocation = Code(rawValue: 37)
        /// A change breaks the model's rules (SPEC §4.10).
        public static let invalidChange = Code(rawValue: 38)
        /// The peer said nothing for too long: no HELLO before the handshake deadline, or idle.
        public static let timeout = Code(rawValue: 39)
        /// The server has too many sessions; try again later.
        public static let busy = Code(rawValue: 40)
        /// The sender failed on its side (its store could not be read or written).
        public static let internalError = Code(rawValue: 41)
        /// The server does not trust the connecting device (unknown, ignored or revoked): it
        /// says so instead of its HELLO, and nothing of the store.
        public static let notTrusted = Code(rawValue: 42)
        /// The device may only pull (read-only) and sent changes; none of them was applied.
        public static let notPermitted = Code(rawValue: 43)
        /// The HELLO names another replica than the key the peer proved in the TLS handshake.
        public static let identityMismatch = Code(rawValue: 44)
        /// An author's signature does not verify over the changes it covers, or the key given
        /// for an author is not the key its replica id is the hash of (SPEC §6.6).
        public static let badSignature = Code(rawValue: 45)
        /// A change is not covered by a signature of its author as SPEC §6.6 requires.
        public static let unsignedChange = Code(rawValue: 46)
        /// One side holds changes under the other side's own replica id that the other lacks or
        /// holds differently: that side's store was restored from a backup or copied (SPEC §11.5).
        public static let replicaRestored = Code(rawValue: 47)
        /// A compressed CHANGES body is not valid raw DEFLATE, or does not inflate to exactly the
        /// length it declares (SPEC §11.4).
        public static let badCompression = Code(rawValue: 48)

        /// Every code this build knows, in number order.
        public static let all: [Code] = [
            .truncated, .badMagic, .unsupportedVersion, .checksumMismatch, .nonCanonicalVarint,
            .varintOverflow, .invalidUTF8, .unknownOperation, .unknownField, .badReplicaIndex,
            .unsortedReplicaTable, .unsortedDependencies, .zeroSequence, .emptyChange,
            .countTooLarge, .trailingBytes, .dependencyOnAuthor, .unusedReplica, .unsortedRuns,
            .frameTooLarge, .storeMismatch, .unknownMessage, .unexpectedMessage, .missingPredecessors,
            .equivocation, .invalidChange, .timeout, .busy, .internalError, .notTrusted, .notPermitted,
            .identityMismatch, .badSignature, .unsignedChange, .replicaRestored, .badCompression,
        ]

        /// Looks a code up by its name (as in vectors.json); nil for an unknown name.
        public init?(name: String) {
            guard let number = Self.names.first(where: { $0.value == name })?.key else { return nil }
            self.init(rawValue: number)
        }

        private static let names: [UInt16: String] = [
            1: "truncated", 2: "badMagic", 3: "unsupportedVersion", 4: "checksumMismatch",
            5: "nonCanonicalVarint", 6: "varintOverflow", 7: "invalidUTF8", 8: "unknownOperation",
            9: "unknownField", 10: "badReplicaIndex", 11: "unsortedReplicaTable",
            12: "unsortedDependencies", 13: "zeroSequence", 14: "emptyChange", 15: "countTooLarge",
            16: "trailingBytes", 17: "dependencyOnAuthor", 18: "unusedReplica", 19: "unsortedRuns",
            32: "frameTooLarge", 33: "storeMismatch", 34: "unknownMessage", 35: "unexpectedMessage",
            36: "missingPredecessors", 37: "equivocation", 38: "invalidChange", 39: "timeout", 40: "busy",
            41: "internalError", 42: "notTrusted", 43: "notPermitted", 44: "identityMismatch",
            45: "badSignature", 46: "unsignedChange", 47: "replicaRestored", 48: "badCompression",
        ]
    }

    public let code: Code
    /// What was expected and what was found, for a person.
    public let message: String
    /// The offset, from the start of the input, of the value that could not be read.
    public let offset: Int

    public init(_ code: Code, _ message: String, at offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (\(code.name) at byte \(offset))" }
}
