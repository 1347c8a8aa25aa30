import GlossCore
import GlossProtocol
import Testing

@Suite("Varints")
struct WireVarintTests {
    static let canonical: [(UInt64, [UInt8])] = [
        (0, [0x00]),
        (1, [0x01]),
        (127, [0x7f]),
        (128, [0x80, 0x01]),
        (300, [0xac, 0x02]),
        (16_383, [0xff, 0x7f]),
        (16_384, [0x80, 0x80, 0x01]),
        (1 << 63, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
        (.max, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ]

    @Test("writes the shortest form and reads it back", arguments: canonical)
    func roundTrip(value: UInt64, bytes: [UInt8]) throws {
        var writer = WireWriter()
        writer.writeVarint(value)
        #expect(writer.bytes == bytes)
        var reader = WireReader(bytes)
        #expect(try reader.readVarint() == value)
        #expect(reader.isAtEnd)
    }

    @Test(
        "refuses a redundant final zero group",
        arguments: [
            [0x80, 0x00], [0x81, 0x00], [0xff, 0x80, 0x00],
            [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
        ] as [[UInt8]])
    func nonCanonical(bytes: [UInt8]) {
        var reader = WireReader(bytes)
        let error = #expect(throws: ProtocolError.self) { try reader.readVarint() }
        #expect(error?.code == .nonCanonicalVarint)
        #expect(error?.offset == 0)
    }

    @Test(
        "refuses more than 64 bits",
        arguments: [
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],  // 2^64
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
            [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],  // 11 bytes
        ] as [[UInt8]])
    func overflow(bytes: [UInt8]) {
        var reader = WireReader(bytes)
        let error = #expect(throws: ProtocolError.self) { try reader.readVarint() }
        #expect(error?.code == .varintOverflow)
    }

    @Test("refuses a varint cut short", arguments: [[], [0x80], [0xff, 0xff]] as [[UInt8]])
    func truncated(bytes: [UInt8]) {
        var reader = WireReader(bytes)
        let error = #expect(throws: ProtocolError.self) { try reader.readVarint() }
        #expect(error?.code == .truncated)
    }

    @Test("reports the offset of the varint that failed, not of its last byte")
    func offsetOfFailure() throws {
        var reader = WireReader([0x05, 0x80, 0x00])
        #expect(try reader.readVarint() == 5)
        let error = #expect(throws: ProtocolError.self) { try reader.readVarint() }
        #expect(error?.offset == 1)
        #expect(reader.offset == 1)
    }

    @Test("every value below 2^21 round-trips through its shortest form")
    func exhaustiveSmallValues() throws {
        for value in UInt64(0)..<(1 << 21) where value % 97 == 0 || value < 1 << 15 {
            var writer = WireWriter()
            writer.writeVarint(value)
            var reader = WireReader(writer.bytes)
            #expect(try reader.readVarint() == value)
            #expect(writer.bytes.count == max(1, (64 - value.leadingZeroBitCount + 6) / 7))
        }
    }
}
