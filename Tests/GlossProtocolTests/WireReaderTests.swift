import GlossCore
import GlossProtocol
import Testing

@Suite("Strings, ids and counts")
struct WireReaderTests {
    @Test(
        "strings round-trip byte for byte, without normalization",
        arguments: [
            "", "a", "hé", "e\u{301}", "日本語", "🧊 ice", "\u{0}nul", String(repeating: "long ", count: 100),
        ])
    func stringRoundTrip(value: String) throws {
        var writer = WireWriter()
        writer.writeString(value)
        #expect(writer.bytes.suffix(value.utf8.count).elementsEqual(value.utf8))
        var reader = WireReader(writer.bytes)
        let read = try reader.readString()
        #expect(Array(read.utf8) == Array(value.utf8))
        try reader.expectEnd()
    }

    @Test(
        "refuses invalid UTF-8 at the first bad byte",
        arguments: [
            ([0x80], 0),  // a lone continuation byte
            ([0x61, 0xc3, 0x28], 1),  // 0xc3 needs a continuation byte
            ([0xc0, 0xaf], 0),  // overlong "/"
            ([0xed, 0xa0, 0x80], 0),  // a UTF-16 surrogate
            ([0xf4, 0x90, 0x80, 0x80], 0),  // past U+10FFFF
            ([0x61, 0x62, 0xe2, 0x80], 2),  // a 3-byte sequence cut short
            ([0xff], 0),
        ] as [([UInt8], Int)])
    func invalidUTF8(utf8: [UInt8], firstBad: Int) {
        var reader = WireReader([UInt8(utf8.count)] + utf8)
        let error = #expect(throws: ProtocolError.self) { try reader.readString() }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.offset == 1 + firstBad)
    }

    @Test("a string longer than the bytes left is truncated, checked before allocating")
    func stringLongerThanInput() {
        var writer = WireWriter()
        writer.writeVarint(UInt64.max)
        writer.writeBytes([0x61, 0x62])
        var reader = WireReader(writer.bytes)
        let error = #expect(throws: ProtocolError.self) { try reader.readString() }
        #expect(error?.code == .truncated)
        #expect(error?.message.contains("found only 2 left") == true)
    }

    @Test("ids are 16 bytes, most significant first")
    func ids() throws {
        let id = ID128(hex: "00112233445566778899aabbccddeeff")!
        var writer = WireWriter()
        writer.writeID(id)
        #expect(writer.bytes == Array(0..<16).map { UInt8($0) * 0x11 })
        var reader = WireReader(writer.bytes)
        #expect(try reader.readID() == id)
        var short = WireReader(Array(writer.bytes.prefix(15)))
        let error = #expect(throws: ProtocolError.self) { try short.readID() }
        #expect(error?.code == .truncated)
    }

    @Test("a count is checked against the bytes left before anything is allocated")
    func countTooLarge() throws {
        var fits = WireReader([0x02] + [UInt8](repeating: 0, count: 32))
        #expect(try fits.readCount(of: "ids", minimumItemSize: 16) == 2)

        var tooMany = WireReader([0x03] + [UInt8](repeating: 0, count: 32))
        let error = #expect(throws: ProtocolError.self) { try tooMany.readCount(of: "ids", minimumItemSize: 16) }
        #expect(error?.code == .countTooLarge)

        // count * size overflows 64 bits: still a clean error.
        var writer = WireWriter()
        writer.writeVarint(UInt64.max / 2)
        var huge = WireReader(writer.bytes)
        let overflow = #expect(throws: ProtocolError.self) { try huge.readCount(of: "ids", minimumItemSize: 16) }
        #expect(overflow?.code == .countTooLarge)
    }

    @Test("offsets in a reader over a slice count from the start of the whole array")
    func sliceOffsets() {
        let bytes: [UInt8] = [0xaa, 0xbb, 0x80, 0x00]
        var reader = WireReader(bytes[2...])
        let error = #expect(throws: ProtocolError.self) { try reader.readVarint() }
        #expect(error?.offset == 2)
    }

    @Test("expectEnd names the bytes left over")
    func trailing() throws {
        var reader = WireReader([0x01, 0x02, 0x03])
        _ = try reader.readU8()
        let error = #expect(throws: ProtocolError.self) { try reader.expectEnd() }
        #expect(error?.code == .trailingBytes)
        #expect(error?.offset == 1)
    }
}
