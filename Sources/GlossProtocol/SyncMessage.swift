import GlossCore

/// The messages of sync protocol version 3 (SPEC §11), each carried in one frame.
///
///     let bytes = SyncMessage.ack(batch: 3).framed()     // length, type, body
public enum SyncMessage: Hashable, Sendable {
    /// The first message each side sends: who it is and what it holds.
    case hello(Hello)
    /// A batch of changes, numbered from 1 in each direction of a session, in causal order.
    case changes(batch: UInt64, SignedBatch)
    /// The receiver applied batch `batch` (and all before it) durably.
    case ack(batch: UInt64)
    /// The sender has sent every change it will send in this session.
    case end
    /// The sender's version vector and state digest once both directions are done.
    case summary(clock: VersionVector, digest: [UInt8])
    /// The sender stops the session; it closes the connection after this.
    case error(code: ProtocolError.Code, message: String)
    /// The sender is busy (applying a batch, reading its store) and still there: a frame that
    /// keeps the peer's idle timeout from firing. Sent only to a peer whose HELLO named `ping`.
    case ping

    public struct Hello: Hashable, Sendable {
        /// Protocol versions the sender speaks, inclusive.
        public var versions: ClosedRange<UInt64>
        /// The store, or `SyncMessage.anyStore` from a client that is cloning.
        public var storeID: StoreID
        public var replicaID: ReplicaID
        /// The replica's name ("" when it has none), shown to people only.
        public var name: String
        public var clock: VersionVector
        /// SHA-256 state digest (SPEC §8), 32 bytes.
        public var digest: [UInt8]
        /// The largest frame the sender accepts.
        public var maximumFrameSize: UInt64
        /// Optional features; unknown ones are ignored.
        public var capabilities: [String]
        /// One per clock entry, in the clock's order: the sender's chain hash of that replica's
        /// history up to its clock entry, and that replica's signature of it (SPEC §11.4.1), so
        /// two replicas at equal clocks with different histories notice at once.
        public var heads: [SignedHead]
        /// Statements by which earlier keys of this replica handed over to it (SPEC §11.4.1).
        public var successions: [Succession]
        /// Proofs the sender holds that authors forked their histories (SPEC §6.7), passed on so
        /// that every replica refuses their later changes.
        public var forks: [ForkEvidence]

        public init(
            versions: ClosedRange<UInt64> = SyncProtocol.versions, storeID: StoreID, replicaID: ReplicaID, name: String,
            clock: VersionVector, digest: [UInt8], maximumFrameSize: UInt64 = UInt64(SyncProtocol.maximumFrameSize),
            capabilities: [String] = [], heads: [SignedHead]? = nil, successions: [Succession] = [], forks: [ForkEvidence] = []
        ) {
            self.versions = versions
            self.storeID = storeID
            self.replicaID = replicaID
            self.name = name
            self.clock = clock
            self.digest = digest
            self.maximumFrameSize = maximumFrameSize
            self.capabilities = capabilities
            self.heads = heads ?? clock.sortedEntries.map { _ in SignedHead.unsigned }
            self.successions = successions
            self.forks = forks
        }
    }

    /// The all-zero store id a cloning client sends: it joins whatever store the server has.
    public static let anyStore = ID128(high: 0, low: 0)

    public enum Kind: UInt8, Sendable {
        case hello = 0x01
        case changes = 0x02
        case ack = 0x03
        case end = 0x04
        case summary = 0x05
        case error = 0x06
        /// A CHANGES whose batch is compressed with raw DEFLATE; it decodes to `.changes`
        /// (SPEC §11.4). Sent only to a peer whose HELLO announced `deflate`.
        case changesDeflated = 0x07
        case ping = 0x08
    }

    public var kind: Kind {
        switch self {
        case .hello: .hello
        case .changes: .changes
        case .ack: .ack
        case .end: .end
        case .summary: .summary
        case .error: .error
        case .ping: .ping
        }
    }
}
