import GlossCore
import Testing

@testable import GlossProtocol

/// CHANGES compressed with raw DEFLATE (SPEC §11.4): what decodes, what is refused, and when a
/// session compresses.
@Suite struct DeflatedChangesTests {
    typealias F = SyncFixtures

    /// A batch of changes with text in it, as notes carry.
    static func batch(seed: UInt64 = 7) -> SyncMessage {
        var random = RandomSyncMessages(seed: seed)
        return random.message(of: .changes)
    }

    /// A type 7 frame by hand: the batch number, the declared length, the deflated bytes.
    static func frame(batch: UInt64 = 1, length: Int, deflated: [UInt8]) -> [UInt8] {
        var body = WireWriter()
        body.writeVarint(batch)
        body.writeVarint(length)
        body.writeBytes(deflated)
        return F.frame(type: SyncMessage.Kind.changesDeflated.rawValue, body: body.bytes)
    }

    static func plainBatchBytes(_ message: SyncMessage) -> [UInt8] {
        guard case .changes(_, let changes) = message else { return [] }
        var writer = WireWriter()
        changes.write(to: &writer)
        return writer.bytes
    }

    static func decode(_ frame: [UInt8]) throws -> SyncMessage {
        let frames = try FrameFeeder.frames(of: F.magic + frame)
        return try #require(frames.first).message()
    }

    @Test func aCompressedBatchDecodesToTheSameChangesAndIsSmaller() throws {
        for seed in 1...40 as ClosedRange<UInt64> {
            let message = Self.batch(seed: seed)
            let deflated = message.framedDeflated()
            #expect(try Self.decode(deflated) == message, "seed \(seed)")
            #expect(deflated.count <= message.framed().count, "never larger than the plain frame")
        }
    }

    @Test func textHeavyBatchesShrinkByHalfOrMore() throws {
        var random = RandomChanges(seed: 3)
        let notes = (0..<60).map { index in
            Change(
                id: Dot(replica: F.alice, seq: UInt64(index + 1)),
                dependencies: VersionVector(), time: UInt64(index),
                operations: [
                    .set(
                        entity: random.id(), field: .note,
                        value: "Source \(index) confirmed this by phone; check the second paragraph again.")
                ])
        }
        let message = SyncMessage.changes(batch: 1, SignedBatch(changes: notes, runs: []))
        let deflated = message.framedDeflated()
        #expect(deflated[4] == SyncMessage.Kind.changesDeflated.rawValue)
        #expect(deflated.count * 2 <= message.framed().count, "\(deflated.count) of \(message.framed().count)")
        #expect(try Self.decode(deflated) == message)
    }

    @Test func aBatchThatDoesNotShrinkGoesPlain() {
        // Random ids are most of this change: deflate cannot shrink them.
        var random = RandomChanges(seed: 5)
        let change = Change(
            id: Dot(replica: random.id(), seq: 1), dependencies: VersionVector(), time: 0, operations: [.keepAnnotation(id: random.id())])
        let message = SyncMessage.changes(batch: 1, SignedBatch(changes: [change], runs: []))
        #expect(message.framedDeflated() == message.framed())
        #expect(SyncMessage.ack(batch: 3).framedDeflated() == SyncMessage.ack(batch: 3).framed())
    }

    @Test func aLengthThatDoesNotMatchIsRefused() throws {
        let plain = Self.plainBatchBytes(Self.batch())
        let deflated = try #require(SyncMessage.deflate(plain))
        for length in [plain.count - 1, plain.count + 1, 0] {
            let error = #expect(throws: ProtocolError.self) { try Self.decode(Self.frame(length: length, deflated: deflated)) }
            #expect(error?.code == .badCompression, "declared \(length) of \(plain.count): \(String(describing: error))")
        }
    }

    @Test func aBombIsRefusedBeforeItInflates() throws {
        // 64 MiB of zeros deflates to about 64 KiB; a declared length above a frame's is refused
        // before anything is inflated, and a smaller one stops at what it declared.
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let deflated = try #require(SyncMessage.deflate(zeros))
        let tooLong = #expect(throws: ProtocolError.self) {
            try Self.decode(Self.frame(length: SyncProtocol.largestChangesFrame + 1, deflated: deflated))
        }
        #expect(tooLong?.code == .frameTooLarge)
        let understated = #expect(throws: ProtocolError.self) { try Self.decode(Self.frame(length: 1000, deflated: deflated)) }
        #expect(understated?.code == .badCompression)
    }

    @Test func garbageAndTrailingBytesAreRefused() throws {
        let plain = Self.plainBatchBytes(Self.batch())
        let deflated = try #require(SyncMessage.deflate(plain))
        let garbage = #expect(throws: ProtocolError.self) {
            try Self.decode(Self.frame(length: plain.count, deflated: [0xff, 0xff, 0xff]))
        }
        #expect(garbage?.code == .badCompression)
        let trailing = #expect(throws: ProtocolError.self) { try Self.decode(Self.frame(length: plain.count, deflated: deflated + [0])) }
        #expect(trailing?.code == .badCompression)
        let truncated = #expect(throws: ProtocolError.self) {
            try Self.decode(Self.frame(length: plain.count, deflated: Array(deflated.dropLast(4))))
        }
        #expect(truncated?.code == .badCompression)
    }

    @Test func theInflatedBatchIsCheckedLikeAPlainOne() throws {
        var plain = Self.plainBatchBytes(Self.batch())
        plain.append(0)  // a byte after the batch
        let deflated = try #require(SyncMessage.deflate(plain))
        let error = #expect(throws: ProtocolError.self) { try Self.decode(Self.frame(length: plain.count, deflated: deflated)) }
        #expect(error?.code == .trailingBytes)
    }

    /// The budget counts bytes on the wire; the feed cuts plain batches. After a batch that
    /// shrank 3×, the next page may hold 3× the budget, so compressed batches fill the link.
    @Test func thePageLimitGrowsWithHowMuchTheLastBatchShrank() throws {
        let deflate = [SyncProtocol.deflateCapability]
        var session = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "alice", clock: [F.alice: 1], digest: F.digestA, capabilities: deflate))
        _ = session.begin()
        _ = session.receive(.hello(F.hello(replica: F.bob, clock: [:], capabilities: deflate)))
        #expect(session.batchByteLimit == BatchBudget.smallest)
        let notes = (0..<40).map { index in
            Change(
                id: Dot(replica: F.alice, seq: UInt64(index + 1)), dependencies: VersionVector(), time: 0,
                operations: [.set(entity: RawBytes.article, field: .note, value: "Source \(index) confirmed this by phone.")])
        }
        guard case .sendFrame(let message, let frame)? = session.send(batch: SignedBatch(changes: notes, runs: []), isLast: false).first
        else {
            Issue.record("no batch")
            return
        }
        let ratio = min(8, Double(message.framed().count) / Double(frame.count))  // at most 8
        #expect(ratio > 2 && session.compressionRatio == ratio)
        #expect(session.batchByteLimit == Int((Double(BatchBudget.smallest) * ratio).rounded(.down)))
    }

    /// Only when both HELLOs announce `deflate`: a peer that lacks it gets plain CHANGES.
    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func aSessionCompressesOnlyWhenBothSidesAnnounceDeflate(local: Bool, peer: Bool) throws {
        let deflate = [SyncProtocol.deflateCapability]
        var session = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "alice", clock: [F.alice: 1], digest: F.digestA,
                capabilities: local ? deflate : []))
        _ = session.begin()
        _ = session.receive(.hello(F.hello(replica: F.bob, clock: [:], capabilities: peer ? deflate : [])))
        #expect(session.compressesChanges == (local && peer))
        guard case .changes(_, let batch) = Self.batch(seed: 11),
            case .sendFrame(let message, let frame) = session.send(batch: batch, isLast: false).first
        else {
            Issue.record("no batch sent")
            return
        }
        #expect(frame == (local && peer ? message.framedDeflated() : message.framed()))
    }
}
