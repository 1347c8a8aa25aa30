import GlossCore
import GlossProtocol
import NIOCore

/// Values and byte helpers shared by the sync tests.
enum SyncFixtures {
    static let store = ID128(hex: "5a1e5a1e000000000000000000000001")!
    static let otherStore = ID128(hex: "0be1d5e0000000000000000000000002")!
    static let alice = RawBytes.alice
    static let bob = RawBytes.bob
    static let digestA = [UInt8](repeating: 0xda, count: 32)
    static let digestB = [UInt8](repeating: 0xdb, count: 32)

    /// The magic as it starts every connection.
    static let magic = Array("GLOSSYNC".utf8)

    static func hello(
        versions: ClosedRange<UInt64> = 3...3, store: StoreID = store, replica: ReplicaID = alice, name: String = "alice",
        clock: VersionVector = VersionVector(), digest: [UInt8] = digestA, capabilities: [String] = []
    ) -> SyncMessage.Hello {
        SyncMessage.Hello(
            versions: versions, storeID: store, replicaID: replica, name: name, clock: clock, digest: digest,
            capabilities: capabilities)
    }

    /// A frame written by hand: the 4-byte big-endian length of `type` and `body`, then both.
    static func frame(type: UInt8, body: [UInt8]) -> [UInt8] {
        let length = UInt32(body.count + 1)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type] + body
    }

    /// The body of a message as the encoder writes it (the frame without length and type).
    static func body(of message: SyncMessage) -> [UInt8] {
        Array(message.framed().dropFirst(5))
    }
}

/// Hex in the style of the test vectors: two lowercase digits a byte, spaces and newlines ignored.
enum Hex {
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    static func bytes(_ text: some StringProtocol) -> [UInt8]? {
        let digits = text.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}

/// Runs `SyncFrameDecoder` the way NIO's `ByteToMessageHandler` does, with no channel: bytes
/// arrive in chunks into one buffer, `decode` runs until it returns nil after each chunk, and at
/// EOF `decodeLast` runs until it returns nil.
struct FrameFeeder {
    var decoder: SyncFrameDecoder
    var buffer = ByteBufferAllocator().buffer(capacity: 0)
    private(set) var frames: [SyncFrame] = []

    init(maximumFrameSize: Int = SyncProtocol.maximumFrameSize) {
        decoder = SyncFrameDecoder(maximumFrameSize: maximumFrameSize)
    }

    /// Appends a chunk and decodes every complete frame it finishes.
    mutating func feed(_ chunk: some Sequence<UInt8>) throws {
        buffer.writeBytes(Array(chunk))
        while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
        buffer.discardReadBytes()
    }

    /// The connection closed: decodes what is left.
    mutating func finish() throws {
        while let frame = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { frames.append(frame) }
    }

    /// Feeds `bytes` in the given chunk sizes (the last chunk takes the rest), then EOF.
    static func frames(of bytes: [UInt8], chunks sizes: [Int] = [], maximumFrameSize: Int = SyncProtocol.maximumFrameSize) throws
        -> [SyncFrame]
    {
        var feeder = FrameFeeder(maximumFrameSize: maximumFrameSize)
        var rest = bytes[...]
        for size in sizes where !rest.isEmpty {
            try feeder.feed(rest.prefix(size))
            rest = rest.dropFirst(size)
        }
        try feeder.feed(rest)
        try feeder.finish()
        return feeder.frames
    }
}

/// Random messages of every kind, from a seed, including the edges of each field.
struct RandomSyncMessages {
    var changes: RandomChanges

    init(seed: UInt64) { changes = RandomChanges(seed: seed) }

    mutating func message(of kind: SyncMessage.Kind) -> SyncMessage {
        switch kind {
        case .hello: .hello(hello())
        case .changes, .changesDeflated: .changes(batch: changes.number(), SignedBatch(changes: changes.changes(), runs: []))
        case .ack: .ack(batch: changes.number())
        case .end: .end
        case .ping: .ping
        case .summary: .summary(clock: clock(), digest: digest())
        case .error:
            .error(
                code: ProtocolError.Code(rawValue: UInt16.random(in: 0...UInt16.max, using: &changes.generator)),
                message: changes.string())
        }
    }

    mutating func hello() -> SyncMessage.Hello {
        let low = max(1, changes.number())
        let (sum, overflow) = low.addingReportingOverflow(changes.number())
        let high = overflow ? UInt64.max : sum
        let capabilities = (0..<Int.random(in: 0...3, using: &changes.generator)).map { _ in changes.string() }
        return SyncMessage.Hello(
            versions: low...high, storeID: Bool.random(using: &changes.generator) ? SyncMessage.anyStore : changes.id(),
            replicaID: changes.id(), name: changes.string(), clock: clock(), digest: digest(),
            maximumFrameSize: changes.number(), capabilities: capabilities)
    }

    mutating func clock() -> VersionVector {
        var clock = VersionVector()
        for _ in 0..<Int.random(in: 0...5, using: &changes.generator) { clock[changes.id()] = max(1, changes.number()) }
        return clock
    }

    mutating func digest() -> [UInt8] {
        (0..<32).map { _ in UInt8.random(in: 0...255, using: &changes.generator) }
    }
}

extension ChangeBundle {
    /// A bundle with no signatures: enough for tests of the file's encoding, which the reader
    /// checks before any signature (`SignedBatch.verify(store:)` would refuse it).
    init(storeID: StoreID, changes: [Change]) {
        self.init(storeID: storeID, batch: SignedBatch(changes: changes, runs: []))
    }
}

/// `[change, ...]` as an unsigned batch, for tests of the session and the encoding, which do
/// not check signatures (the store does, when it applies a batch).
extension SignedBatch: ExpressibleByArrayLiteral {
    public init(arrayLiteral changes: Change...) {
        self.init(changes: changes, runs: [])
    }
}

extension SyncSession.Action {
    /// What the session returns to send a CHANGES message: the message and its frame.
    static func framed(_ message: SyncMessage) -> Self { .sendFrame(message, message.framed()) }
}
