import GlossCore

/// Reads Gloss's primitive encodings from bytes, refusing every form `WireWriter` would not
/// have written, and never allocating for a length it has not checked against the bytes left.
///
/// Errors carry the offset of the value that failed, counted from the start of the input (for
/// a reader over a slice, from the start of the array the slice came from).
///
///     var reader = WireReader([0xac, 0x02, 0x03, 0x68, 0xc3, 0xa9])
///     try reader.readVarint()        // 300
///     try reader.readString()        // "hé"
///     try reader.expectEnd()
///
///     var bad = WireReader([0x80, 0x00])
///     try bad.readVarint()           // throws .nonCanonicalVarint: 0 is written 00
public struct WireReader: Sendable {
    /// The longest canonical varint: 64 bits at 7 bits a byte.
    public static let maximumVarintLength = 10

    private let input: ArraySlice<UInt8>
    /// The offset of the next byte to read.
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    /// Reads a slice; offsets in errors are the slice's own indices.
    public init(_ bytes: ArraySlice<UInt8>) {
        input = bytes
        offset = bytes.startIndex
    }

    /// How many bytes are left to read.
    public var remaining: Int { input.endIndex - offset }

    public var isAtEnd: Bool { offset == input.endIndex }

    /// Throws `.trailingBytes` unless every byte has been read.
    public func expectEnd(after what: String = "the last value") throws(ProtocolError) {
        guard isAtEnd else {
            let bytes = remaining == 1 ? "1 more byte" : "\(remaining) more bytes"
            throw ProtocolError(.trailingBytes, "expected the input to end after \(what), found \(bytes)", at: offset)
        }
    }

    public mutating func readU8(_ what: String = "a byte") throws(ProtocolError) -> UInt8 {
        try need(1, for: what)
        defer { offset += 1 }
        return input[offset]
    }

    /// Reads a canonical unsigned LEB128 varint of at most 10 bytes.
    ///
    /// A final group of zero after other groups (`80 00`, `ff 00`) is `.nonCanonicalVarint`:
    /// the value has a shorter form. More than 10 bytes, or a 10th byte above 1 (bits past the
    /// 64th), is `.varintOverflow`.
    public mutating func readVarint(_ what: String = "a varint") throws(ProtocolError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = offset
        while true {
            guard index < input.endIndex else {
                throw ProtocolError(
                    .truncated, "expected \(what), found the input ending inside it after \(counted(index - start, "byte"))",
                    at: start)
            }
            let byte = input[index]
            let length = index - start + 1
            if length == Self.maximumVarintLength && byte > 0x01 {
                throw ProtocolError(
                    .varintOverflow,
                    "expected \(what) of at most 64 bits, found a 10th byte 0x\(hex(byte)) that goes past them",
                    at: start)
            }
            value |= UInt64(byte & 0x7f) << shift
            index += 1
            if byte & 0x80 == 0 {
                if byte == 0 && length > 1 {
                    throw ProtocolError(
                        .nonCanonicalVarint,
                        "expected \(what) in its shortest form, found \(length) bytes ending in a redundant 0x00",
                        at: start)
                }
                offset = index
                return value
            }
            shift += 7
        }
    }

    /// Reads a varint that counts items of at least `minimumItemSize` bytes each, and checks
    /// that the bytes left could hold that many before anyone allocates for them.
    public mutating func readCount(of what: String, minimumItemSize: Int) throws(ProtocolError) -> Int {
        precondition(minimumItemSize >= 1)
        let start = offset
        let count = try readVarint("a count of \(what)")
        let (needed, overflow) = count.multipliedReportingOverflow(by: UInt64(minimumItemSize))
        guard !overflow, needed <= UInt64(remaining) else {
            throw ProtocolError(
                .countTooLarge,
                "expected a count of \(what) that the \(counted(remaining, "byte")) left can hold "
                    + "(at most \(remaining / minimumItemSize), each at least \(counted(minimumItemSize, "byte"))), found \(count)",
                at: start)
        }
        return Int(count)
    }

    /// Reads an index into a table of `count` entries.
    public mutating func readIndex(of what: String, below count: Int) throws(ProtocolError) -> Int {
        let start = offset
        let index = try readVarint("\(what) index")
        guard index < UInt64(count) else {
            throw ProtocolError(
                .badReplicaIndex, "expected \(what) index below \(count), found \(index)", at: start)
        }
        return Int(index)
    }

    /// Reads a varint byte length, checks it against the bytes left, then that many bytes of
    /// UTF-8. Invalid UTF-8 (overlong forms, surrogates, bad continuation bytes) is refused,
    /// with the offset of the first bad byte.
    public mutating func readString(_ what: String = "a string") throws(ProtocolError) -> String {
        let start = offset
        let length = try readVarint("the byte length of \(what)")
        guard length <= UInt64(remaining) else {
            throw ProtocolError(
                .truncated, "expected \(counted(length, "byte")) of \(what), found only \(remaining) left", at: start)
        }
        let utf8 = input[offset..<offset + Int(length)]
        if let firstBad = Self.firstInvalidUTF8(in: utf8) {
            throw ProtocolError(
                .invalidUTF8, "expected \(what) of valid UTF-8, found an invalid sequence", at: firstBad)
        }
        let string = String(decoding: utf8, as: UTF8.self)
        offset += Int(length)
        return string
    }

    /// Reads a 16-byte id.
    public mutating func readID(_ what: String = "an id") throws(ProtocolError) -> ID128 {
        try need(16, for: what)
        defer { offset += 16 }
        return ID128(bytes: input[offset..<offset + 16])!
    }

    /// Reads exactly `count` raw bytes.
    public mutating func readBytes(_ count: Int, _ what: String = "bytes") throws(ProtocolError) -> ArraySlice<UInt8> {
        try need(count, for: what)
        defer { offset += count }
        return input[offset..<offset + count]
    }

    /// The index where the first invalid UTF-8 sequence starts, or nil when all of it is valid.
    /// Uses the standard library's parser, which refuses overlong forms, surrogates and values
    /// past U+10FFFF, as RFC 3629 requires.
    static func firstInvalidUTF8(in bytes: ArraySlice<UInt8>) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = bytes.startIndex
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): position += scalar.count
            case .emptyInput: return nil
            case .error: return position
            }
        }
    }

    private func need(_ count: Int, for what: String) throws(ProtocolError) {
        guard remaining >= count else {
            throw ProtocolError(
                .truncated, "expected \(what) (\(counted(count, "byte"))), found only \(remaining) left", at: offset)
        }
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}
