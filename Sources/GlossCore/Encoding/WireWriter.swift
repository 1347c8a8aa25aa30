/// Appends Gloss's primitive encodings to a growing byte array.
///
/// There is exactly one way to write each value, so the same value always gives the same bytes:
/// - a varint is unsigned LEB128 in its shortest form: 7 bits a byte, least significant group
///   first, the high bit set on every byte but the last (1 to 10 bytes);
/// - a string is a varint byte length then that many bytes of UTF-8;
/// - an id is its 16 bytes, most significant first;
/// - a u8 is one byte.
///
///     var writer = WireWriter()
///     writer.writeVarint(300)        // ac 02
///     writer.writeString("hé")       // 03 68 c3 a9
///     writer.bytes                   // [0xac, 0x02, 0x03, 0x68, 0xc3, 0xa9]
public struct WireWriter: Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeU8(_ value: UInt8) {
        bytes.append(value)
    }

    /// Writes `value` as a canonical unsigned LEB128 varint.
    public mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Writes a count or index; they are never negative.
    public mutating func writeVarint(_ value: Int) {
        precondition(value >= 0, "counts and indices are never negative")
        writeVarint(UInt64(value))
    }

    /// Writes the varint byte length of the UTF-8 then the UTF-8 itself, as stored: no
    /// normalization, so the bytes read back are the bytes written.
    public mutating func writeString(_ value: String) {
        let utf8 = value.utf8
        writeVarint(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// Writes the id's 16 bytes, most significant first.
    public mutating func writeID(_ id: ID128) {
        bytes.append(contentsOf: id.bytes)
    }

    public mutating func writeBytes(_ raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }
}
