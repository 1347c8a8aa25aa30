import CompressNIO
import GlossCore
import NIOCore

/// CHANGES compressed with raw DEFLATE (RFC 1951, no zlib or gzip header): message type 7,
/// whose body is the batch number, the length of the CHANGES body's batch encoding, and that
/// encoding deflated (SPEC §11.4). Each frame is compressed on its own, so any frame can be
/// read without the ones before it, and a reconnect starts afresh.
extension SyncMessage {
    /// The frame of a CHANGES, compressed when that makes it smaller; otherwise (or for any
    /// other message) the plain frame.
    ///
    /// `plain`, when the caller has it, is this message's `framed()`: the batch is then not
    /// encoded again, its bytes are read from that frame.
    public func framedDeflated(plain known: [UInt8]? = nil) -> [UInt8] {
        let unpacked = known ?? framed()
        guard case .changes(let batch, _) = self else { return unpacked }
        var number = WireWriter()
        number.writeVarint(batch)
        // length (4), type (1), batch number, then the signed batch: what gets deflated.
        let batchBytes = Array(unpacked.dropFirst(5 + number.bytes.count))
        guard let deflated = Self.deflate(batchBytes) else { return unpacked }
        var body = WireWriter()
        body.writeU8(Kind.changesDeflated.rawValue)
        body.writeVarint(batch)
        body.writeVarint(batchBytes.count)
        body.writeBytes(deflated)
        guard body.bytes.count + 4 < unpacked.count else { return unpacked }
        let length = UInt32(body.bytes.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + body.bytes
    }

    static func deflate(_ bytes: [UInt8]) -> [UInt8]? {
        var buffer = ByteBuffer(bytes: bytes)
        guard let compressed = try? buffer.compress(with: .deflate()) else { return nil }
        return Array(compressed.readableBytesView)
    }

    /// Reads a type 7 body: inflates exactly the declared number of bytes, at most what a
    /// CHANGES frame may carry, and decodes them as a CHANGES body's batch.
    static func readDeflatedChanges(from reader: inout WireReader) throws(ProtocolError) -> SyncMessage {
        let numberStart = reader.offset
        let batch = try reader.readVarint("the batch number")
        let lengthStart = reader.offset
        let length = try reader.readVarint("the inflated length")
        // What a plain CHANGES frame would carry: its type byte, the batch number, the batch.
        let largest = UInt64(SyncProtocol.largestChangesFrame - 1 - (lengthStart - numberStart))
        guard length <= largest else {
            throw ProtocolError(
                .frameTooLarge, "expected an inflated length of at most \(largest) (a CHANGES frame's), found \(length)",
                at: lengthStart)
        }
        let dataStart = reader.offset
        let inflated = try inflate(try reader.readBytes(reader.remaining, "the compressed batch"), length: Int(length), at: dataStart)
        var inner = WireReader(inflated[...])
        let changes: SignedBatch
        do {
            changes = try SignedBatch.read(from: &inner)
            try inner.expectEnd(after: "the inflated batch")
        } catch {
            throw ProtocolError(error.code, "in the inflated batch: \(error.message)", at: dataStart)
        }
        return .changes(batch: batch, changes)
    }

    private static func inflate(_ data: ArraySlice<UInt8>, length: Int, at offset: Int) throws(ProtocolError) -> [UInt8] {
        var input = ByteBuffer(bytes: data)
        // Buffers grow with what actually inflates, so a tiny frame that declares 16 MiB costs
        // no 16 MiB. One byte more than declared may come out: then it said less than it holds.
        let output: ByteBuffer
        do {
            output = try input.decompress(with: .deflate(), maxSize: length + 1)
        } catch {
            throw ProtocolError(.badCompression, "the compressed batch is not valid raw DEFLATE data (\(error))", at: offset)
        }
        guard output.readableBytes == length else {
            throw ProtocolError(
                .badCompression, "the compressed batch inflates to \(output.readableBytes) bytes or more, not the \(length) it declares",
                at: offset)
        }
        guard input.readableBytes == 0 else {
            throw ProtocolError(
                .badCompression, "\(counted(input.readableBytes, "byte")) after the end of the compressed batch", at: offset)
        }
        return Array(output.readableBytesView)
    }
}
