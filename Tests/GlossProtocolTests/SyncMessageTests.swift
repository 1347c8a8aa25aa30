import GlossCore
import GlossProtocol
import Testing

/// Sync messages (SPEC §11.4): seeded round trips of every type, the exact layout of the
/// small ones, and one test per way a frame's body can be refused.
@Suite("Sync messages")
struct SyncMessageTests {
    typealias F = SyncFixtures
    static let kinds: [SyncMessage.Kind] = [.hello, .changes, .ack, .end, .summary, .error, .ping]
    static let seeds: [UInt64] = Array(1...40) + [0xdead_beef]

    /// Decodes one frame's body as the session driver does.
    func decode(type: UInt8, body: [UInt8]) throws(ProtocolError) -> SyncMessage {
        try SyncFrame(type: type, body: body).message()
    }

    func rejection(type: UInt8, body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ProtocolError? {
        #expect(throws: ProtocolError.self, sourceLocation: sourceLocation) { try decode(type: type, body: body) }
    }

    @Test("every message type round-trips through a frame and re-encodes to the same bytes", arguments: kinds)
    func roundTrip(kind: SyncMessage.Kind) throws {
        for seed in Self.seeds {
            var random = RandomSyncMessages(seed: seed ^ UInt64(kind.rawValue) << 56)
            let message = random.message(of: kind)
            let bytes = message.framed()
            let frames = try FrameFeeder.frames(of: F.magic + bytes)
            #expect(frames.count == 1, "seed \(seed)")
            let frame = try #require(frames.first, "seed \(seed)")
            #expect(frame.type == kind.rawValue, "seed \(seed)")
            let decoded = try frame.message()
            #expect(decoded == message, "seed \(seed), \(kind)")
            #expect(decoded.framed() == bytes, "seed \(seed), \(kind)")
            #expect(decoded.kind == kind, "seed \(seed)")
        }
    }

    @Test("the length prefix counts the type byte and the body, big-endian")
    func framing() {
        #expect(SyncMessage.end.framed() == [0x00, 0x00, 0x00, 0x01, 0x04])
        #expect(SyncMessage.ack(batch: 300).framed() == [0x00, 0x00, 0x00, 0x03, 0x03, 0xac, 0x02])
        #expect(SyncMessage.error(code: .busy, message: "hé").framed() == [0x00, 0x00, 0x00, 0x06, 0x06, 0x28, 0x03, 0x68, 0xc3, 0xa9])
        let big = SyncMessage.error(code: .internalError, message: String(repeating: "x", count: 70_000)).framed()
        #expect(Array(big.prefix(4)) == [0x00, 0x01, 0x11, 0x75])  // 1 + 1 + 3 + 70000 = 70005
    }

    @Test("HELLO fields are written in SPEC order")
    func helloLayout() throws {
        let clock: VersionVector = [F.bob: 2, F.alice: 300]
        var hello = F.hello(versions: 1...2, clock: clock, capabilities: ["x"])
        let heads = [0x0a, 0x0b].map {
            SignedHead(chain: ChainHash(bytes: [UInt8](repeating: $0, count: 32))!, signature: [UInt8](repeating: $0, count: 64))
        }
        hello.heads = heads
        let successor = Succession(
            key: AuthorKey(bytes: [UInt8](repeating: 0x0c, count: 32))!, signature: [UInt8](repeating: 0x0d, count: 64))
        hello.successions = [successor]
        let expected: [UInt8] =
            [0x01, 0x02] + F.store.bytes + F.alice.bytes + [0x05] + Array("alice".utf8)
            + [0x02] + F.alice.bytes + [0xac, 0x02] + F.bob.bytes + [0x02]
            + F.digestA + [0x80, 0x80, 0x80, 0x08] + [0x01, 0x01, 0x78]
            + [0x02] + heads[0].chain.bytes + heads[0].signature + heads[1].chain.bytes + heads[1].signature
            + [0x01] + successor.key.bytes + successor.signature + [0x00]
        #expect(F.body(of: .hello(hello)) == expected)
        #expect(SyncMessage.hello(hello).framed()[4] == 0x01)
        #expect(try SyncMessage(type: 0x01, body: ArraySlice(expected)) == .hello(hello))
    }

    @Test("SUMMARY is a version vector then the 32-byte digest; CHANGES a batch number then a change batch")
    func summaryAndChangesLayout() {
        #expect(F.body(of: .summary(clock: [F.alice: 1], digest: F.digestB)) == [0x01] + F.alice.bytes + [0x01] + F.digestB)
        let change = Change(
            id: Dot(replica: F.alice, seq: 1), dependencies: VersionVector(), time: 0,
            operations: [.keepAnnotation(id: RawBytes.article)])
        #expect(F.body(of: .changes(batch: 2, [change])) == [0x02] + ChangeBatch.encoded([change]) + [0x00], "no signed runs")
        #expect(F.body(of: .changes(batch: 1, [])) == [0x01, 0x00, 0x00, 0x00])
    }

    // MARK: Extensibility

    @Test("a HELLO with fields a later version appended decodes, and the extra bytes are ignored")
    func helloTrailingFields() throws {
        let hello = F.hello(capabilities: ["compression"])
        let body = F.body(of: .hello(hello))
        for extra in [[0x00], [0x07, 0x03, 0x61, 0x62, 0x63], [UInt8](repeating: 0xff, count: 40)] as [[UInt8]] {
            #expect(try decode(type: 0x01, body: body + extra) == .hello(hello), "extra \(extra)")
        }
    }

    @Test("a HELLO from a newer peer with a wider version range and unknown capabilities decodes")
    func helloFromNewerPeer() throws {
        let hello = F.hello(versions: 1...7, capabilities: ["delta-v3", "zstd"])
        #expect(try decode(type: 0x01, body: F.body(of: .hello(hello))) == .hello(hello))
    }

    @Test("a HELLO with the all-zero store id (a cloning client) decodes")
    func helloCloning() throws {
        let hello = F.hello(store: SyncMessage.anyStore)
        #expect(try decode(type: 0x01, body: F.body(of: .hello(hello))) == .hello(hello))
        #expect(SyncMessage.anyStore.bytes == [UInt8](repeating: 0, count: 16))
    }

    @Test("an ERROR with a code this build does not know decodes, keeping the number")
    func errorUnknownCode() throws {
        let message = try decode(type: 0x06, body: RawBytes.varint(999) + RawBytes.string("later"))
        #expect(message == .error(code: ProtocolError.Code(rawValue: 999), message: "later"))
    }

    // MARK: Rejections, one reason each

    @Test("unknownMessage: type bytes outside 1...8", arguments: [0x00, 0x09, 0x10, 0xff] as [UInt8])
    func unknownType(type: UInt8) {
        let error = rejection(type: type, body: [])
        #expect(error?.code == .unknownMessage)
        #expect(error?.message.contains("found \(type)") == true)
    }

    @Test("unsupportedVersion: a HELLO whose lowest version is above its highest")
    func helloReversedRange() {
        var body = F.body(of: .hello(F.hello()))
        body[0] = 0x04  // low 4, high 3
        #expect(rejection(type: 0x01, body: body)?.code == .unsupportedVersion)
    }

    @Test("unsupportedVersion: a HELLO whose lowest version is 0")
    func helloVersionZero() {
        var body = F.body(of: .hello(F.hello()))
        body[0] = 0x00
        #expect(rejection(type: 0x01, body: body)?.code == .unsupportedVersion)
    }

    @Test("nonCanonicalVarint: an ACK whose batch number 1 is written 81 00")
    func ackNonCanonical() {
        #expect(rejection(type: 0x03, body: [0x81, 0x00])?.code == .nonCanonicalVarint)
    }

    @Test("varintOverflow: an ACK whose batch number has a 10th byte above 01")
    func ackOverflow() {
        #expect(rejection(type: 0x03, body: [UInt8](repeating: 0xff, count: 9) + [0x02])?.code == .varintOverflow)
    }

    @Test("varintOverflow: an ERROR code of 65536 or more")
    func errorCodeTooLarge() {
        #expect(rejection(type: 0x06, body: RawBytes.varint(65_536) + RawBytes.string(""))?.code == .varintOverflow)
    }

    @Test(
        "truncated: bodies that end inside a field",
        arguments: [
            (0x03, []), (0x02, []), (0x05, [0x00] + [UInt8](repeating: 0, count: 31)), (0x06, [0x23, 0x05, 0x61]),
        ] as [(UInt8, [UInt8])])
    func truncated(type: UInt8, body: [UInt8]) {
        #expect(rejection(type: type, body: body)?.code == .truncated)
    }

    @Test("truncated: every proper prefix of a HELLO")
    func helloPrefixes() {
        let body = F.body(of: .hello(F.hello(clock: [F.bob: 5], capabilities: ["a"])))
        for length in 0..<body.count {
            let error = rejection(type: 0x01, body: Array(body.prefix(length)))
            // A prefix that stops inside the capability count's promised items is countTooLarge.
            #expect(error?.code == .truncated || error?.code == .countTooLarge, "cut to \(length)")
        }
    }

    @Test("invalidUTF8: a replica name that is not UTF-8")
    func helloInvalidName() {
        let good = F.body(of: .hello(F.hello(name: "abc")))
        let nameAt = 2 + 32 + 1
        var body = good
        body.replaceSubrange(nameAt..<nameAt + 3, with: [0x63, 0xc3, 0x28])
        #expect(rejection(type: 0x01, body: body)?.code == .invalidUTF8)
    }

    @Test("invalidUTF8: an ERROR message that is not UTF-8 (a lone surrogate)")
    func errorInvalidMessage() {
        #expect(rejection(type: 0x06, body: [0x23, 0x03, 0xed, 0xa0, 0x80])?.code == .invalidUTF8)
    }

    @Test("countTooLarge: a SUMMARY clock count larger than the bytes left could hold")
    func summaryCount() {
        #expect(rejection(type: 0x05, body: [0x05] + F.alice.bytes + [0x01] + F.digestA)?.code == .countTooLarge)
    }

    @Test("countTooLarge: a HELLO capability count larger than the bytes left")
    func helloCapabilityCount() {
        var body = F.body(of: .hello(F.hello()))
        body[body.count - 1] = 0x05
        #expect(rejection(type: 0x01, body: body)?.code == .countTooLarge)
    }

    @Test("countTooLarge: a CHANGES change count larger than the bytes left")
    func changesCount() {
        #expect(rejection(type: 0x02, body: [0x01] + RawBytes.batch(count: 1_000_000, RawBytes.change()))?.code == .countTooLarge)
    }

    @Test("unsortedReplicaTable and zeroSequence: a SUMMARY clock out of order or with a 0 entry")
    func summaryClock() {
        let unsorted = [0x02] + F.bob.bytes + [0x01] + F.alice.bytes + [0x01] + F.digestA
        #expect(rejection(type: 0x05, body: unsorted)?.code == .unsortedReplicaTable)
        let repeated = [0x02] + F.alice.bytes + [0x01] + F.alice.bytes + [0x02] + F.digestA
        #expect(rejection(type: 0x05, body: repeated)?.code == .unsortedReplicaTable)
        #expect(rejection(type: 0x05, body: [0x01] + F.alice.bytes + [0x00] + F.digestA)?.code == .zeroSequence)
    }

    @Test("CHANGES carries the change batch's own rejections (an unused replica, say)")
    func changesBatchRules() {
        let batch = RawBytes.batch(table: [F.alice, F.bob], RawBytes.change())
        #expect(rejection(type: 0x02, body: [0x01] + batch)?.code == .unusedReplica)
    }

    @Test(
        "trailingBytes: a byte after the last field of every message but HELLO",
        arguments: [
            SyncMessage.changes(batch: 1, .empty), .ack(batch: 1), .end, .summary(clock: [:], digest: SyncFixtures.digestA),
            .error(code: .busy, message: "later"),
        ])
    func trailing(message: SyncMessage) {
        let error = rejection(type: message.kind.rawValue, body: F.body(of: message) + [0x00])
        #expect(error?.code == .trailingBytes, "\(message.kind)")
    }
}
