import GlossCore
import NIOCore

/// One frame of a sync connection: its message type and body, not yet decoded.
public struct SyncFrame: Hashable, Sendable {
    public let type: UInt8
    public let body: [UInt8]

    public init(type: UInt8, body: [UInt8]) {
        self.type = type
        self.body = body
    }

    public func message() throws(ProtocolError) -> SyncMessage {
        try SyncMessage(type: type, body: body[...])
    }
}

/// Splits a sync connection's bytes into frames: first the 8-byte magic, then frames of a
/// 4-byte big-endian length, a type byte and a body.
///
/// Bounded before it allocates: a length of 0 or above `maximumFrameSize` fails at once, before
/// any of the frame is buffered, and bytes that cannot begin the magic (an HTTP request, say)
/// fail on the first wrong byte.
public struct SyncFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = SyncFrame

    public let maximumFrameSize: Int
    private var sawMagic = false

    public init(maximumFrameSize: Int = SyncProtocol.maximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> SyncFrame? {
        if !sawMagic {
            let available = min(buffer.readableBytes, SyncProtocol.magic.count)
            let prefix = buffer.getBytes(at: buffer.readerIndex, length: available) ?? []
            guard prefix.elementsEqual(SyncProtocol.magic.prefix(available)) else {
                throw ProtocolError(.badMagic, "expected a Gloss sync connection (GLOSSYNC), found other bytes", at: 0)
            }
            guard available == SyncProtocol.magic.count else { return nil }
            buffer.moveReaderIndex(forwardBy: available)
            sawMagic = true
        }
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= 1, length <= maximumFrameSize else {
            throw ProtocolError(.frameTooLarge, "expected a frame of 1 to \(maximumFrameSize) bytes, found a length of \(length)", at: 0)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        let type = buffer.readInteger(as: UInt8.self)!
        return SyncFrame(type: type, body: buffer.readBytes(length: Int(length) - 1)!)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SyncFrame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 {
            let count = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: count)
            if !sawMagic {
                throw ProtocolError(.truncated, "the connection closed inside the magic (\(count) of its 8 bytes arrived)", at: 0)
            }
            throw ProtocolError(.truncated, "the connection closed inside a frame (\(counted(count, "byte")) of it arrived)", at: 0)
        }
        return nil
    }
}
