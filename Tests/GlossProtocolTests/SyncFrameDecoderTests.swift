import GlossCore
import GlossProtocol
import NIOCore
import Testing

/// `SyncFrameDecoder` (SPEC §11.3): the same frames however the bytes are chunked, and every
/// refusal as early as the bytes allow.
@Suite("Sync frame decoder")
struct SyncFrameDecoderTests {
    typealias F = SyncFixtures

    /// A stream of every message type, as one side would send it.
    static let messages: [SyncMessage] = {
        var random = RandomSyncMessages(seed: 7)
        return [
            .hello(random.hello()), random.message(of: .changes), .ack(batch: 1), random.message(of: .changes), .end,
            .summary(clock: random.clock(), digest: random.digest()), .error(code: .timeout, message: "bye"),
        ]
    }()
    static let stream = F.magic + messages.flatMap { $0.framed() }

    func expectMessages(_ frames: [SyncFrame], _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(frames.count == Self.messages.count, "\(context)", sourceLocation: sourceLocation)
        #expect(frames.map { try? $0.message() } == Self.messages.map { $0 }, "\(context)", sourceLocation: sourceLocation)
    }

    @Test("all at once")
    func allAtOnce() throws {
        expectMessages(try FrameFeeder.frames(of: Self.stream), "one chunk")
    }

    @Test("byte by byte: each frame comes out on its last byte, never earlier")
    func byteByByte() throws {
        var feeder = FrameFeeder()
        var ends: [Int] = []
        for (offset, byte) in Self.stream.enumerated() {
            let before = feeder.frames.count
            try feeder.feed([byte])
            if feeder.frames.count > before { ends.append(offset + 1) }
        }
        try feeder.finish()
        expectMessages(feeder.frames, "byte by byte")
        var expectedEnds: [Int] = []
        var end = F.magic.count
        for message in Self.messages {
            end += message.framed().count
            expectedEnds.append(end)
        }
        #expect(ends == expectedEnds)
    }

    @Test("random chunks", arguments: Array(UInt64(1)...UInt64(30)))
    func randomChunks(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let sizes = (0..<Self.stream.count).map { _ in Int.random(in: 0...64, using: &generator) }
        expectMessages(try FrameFeeder.frames(of: Self.stream, chunks: sizes), "seed \(seed)")
    }

    @Test("the magic may arrive split, and is required only once")
    func magicSplit() throws {
        let frames = try FrameFeeder.frames(of: F.magic + SyncMessage.end.framed() + SyncMessage.end.framed(), chunks: [3, 3, 3])
        #expect(frames == [SyncFrame(type: 0x04, body: []), SyncFrame(type: 0x04, body: [])])
    }

    @Test("a clean EOF between frames, or before any byte, is no error")
    func cleanEOF() throws {
        #expect(try FrameFeeder.frames(of: []) == [])
        #expect(try FrameFeeder.frames(of: F.magic) == [])
        #expect(try FrameFeeder.frames(of: F.magic + SyncMessage.end.framed()).count == 1)
    }

    // MARK: Refusals

    @Test("badMagic: an HTTP request fails on its first wrong byte, the second")
    func httpRequest() throws {
        var feeder = FrameFeeder()
        let request = Array("GET / HTTP/1.1\r\nHost: localhost:7456\r\n\r\n".utf8)
        try feeder.feed(request.prefix(1))  // "G" could still be GLOSSYNC
        let error = #expect(throws: ProtocolError.self) { try feeder.feed(request[1...1]) }
        #expect(error?.code == .badMagic)
    }

    @Test("badMagic: a stream whose first byte is wrong fails on that byte", arguments: [0x00, 0x16, 0x67, 0xff] as [UInt8])
    func firstByteWrong(byte: UInt8) {
        var feeder = FrameFeeder()
        #expect(throws: ProtocolError.self) { try feeder.feed([byte]) }
    }

    @Test("badMagic: a bundle's magic GLOSSBDL fails on its 6th byte")
    func bundleMagic() throws {
        var feeder = FrameFeeder()
        let bundleMagic = ChangeBundle.magic
        try feeder.feed(bundleMagic.prefix(5))
        let error = #expect(throws: ProtocolError.self) { try feeder.feed(bundleMagic[5...5]) }
        #expect(error?.code == .badMagic)
    }

    @Test("frameTooLarge: a length of 0")
    func lengthZero() {
        let error = #expect(throws: ProtocolError.self) { try FrameFeeder.frames(of: F.magic + [0, 0, 0, 0, 0x04]) }
        #expect(error?.code == .frameTooLarge)
    }

    @Test("frameTooLarge: a length over the maximum fails on its 4th byte, before any of the body is buffered")
    func oversize() throws {
        for (maximum, length) in [(SyncProtocol.maximumFrameSize, UInt32(SyncProtocol.maximumFrameSize + 1)), (64, 65), (64, UInt32.max)] {
            var feeder = FrameFeeder(maximumFrameSize: maximum)
            let prefix = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            try feeder.feed(F.magic + prefix.prefix(3))
            let error = #expect(throws: ProtocolError.self) { try feeder.feed(prefix[3...3]) }
            #expect(error?.code == .frameTooLarge, "maximum \(maximum), length \(length)")
            #expect(feeder.buffer.readableBytes <= 4, "nothing past the length was kept")
        }
    }

    @Test("a frame of exactly the maximum size is accepted")
    func exactlyMaximum() throws {
        let frame = SyncMessage.error(code: .busy, message: String(repeating: "x", count: 61)).framed()  // 1 + 1 + 1 + 61
        #expect(frame.count - 4 == 64)
        #expect(try FrameFeeder.frames(of: F.magic + frame, maximumFrameSize: 64).count == 1)
        #expect(throws: ProtocolError.self) { try FrameFeeder.frames(of: F.magic + frame, maximumFrameSize: 63) }
    }

    @Test("truncated: the connection closes inside a frame, its length, or the magic")
    func truncatedAtEOF() {
        let frame = SyncMessage.ack(batch: 300).framed()
        for cut in 1..<frame.count {
            let error = #expect(throws: ProtocolError.self) { try FrameFeeder.frames(of: F.magic + frame.prefix(cut)) }
            #expect(error?.code == .truncated, "cut after \(cut) bytes of the frame")
        }
        let error = #expect(throws: ProtocolError.self) { try FrameFeeder.frames(of: Array(F.magic.prefix(5))) }
        #expect(error?.code == .truncated)
    }

    @Test("the decoder does not read message bodies: an unknown type is the message decoder's to refuse")
    func unknownTypePassesFraming() throws {
        let frames = try FrameFeeder.frames(of: F.magic + F.frame(type: 0x07, body: [0x01]))
        #expect(frames == [SyncFrame(type: 0x07, body: [0x01])])
        #expect(throws: ProtocolError.self) { try frames[0].message() }
    }
}
