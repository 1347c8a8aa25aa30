// libFuzzer target: the sync frame decoder, `SyncFrameDecoder`, on the bytes a peer sends from
// the first byte of a connection (inside TLS: any device that completes a handshake, trusted or
// not, reaches it).
//
// Input: one control byte, then the stream. The control byte picks the decoder's maximum frame
// size (high bit clear: the default 16 MiB; set: its low 7 bits + 1, so the fuzzer reaches
// `.frameTooLarge` with lengths it can write) and seeds the chunk splits.
//
// The stream is decoded three ways, which must give the same frames and the same error:
// 1. a reference parser written from SPEC §11 in this file (magic, then 4-byte big-endian
//    length, type byte, body; a length of 0 or above the maximum is `.frameTooLarge` as soon as
//    it is read; bytes left at the end are `.truncated`);
// 2. the decoder on the whole stream in one buffer: `decode` until nil, then `decodeLast`;
// 3. the decoder inside NIO's `NIOSingleStepByteToMessageProcessor`, fed in random chunks
//    (1 byte to the whole rest), then `finishProcessing(seenEOF: true)`, which calls `decodeLast`.
// Every error must be a ProtocolError. Every frame's message then goes through checkMessage
// (FuzzSupport), and `SyncFrame.message()` must agree with it.
import FuzzSupport
import GlossProtocol
import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = inputBytes(start, count)
    guard let control = input.first else { return 0 }
    let stream = Array(input.dropFirst())
    let maximum = control & 0x80 == 0 ? SyncProtocol.maximumFrameSize : Int(control & 0x7f) + 1

    let expected = referenceDecode(stream, maximumFrameSize: maximum)
    let whole = decodeWhole(stream, maximumFrameSize: maximum)
    require(whole == expected, "one buffer: \(whole) but the reference parser gives \(expected)")
    var random = SplitMix64(seed: UInt64(control) << 32 | UInt64(stream.count))
    let chunked = decodeChunked(stream, maximumFrameSize: maximum, random: &random)
    require(chunked == expected, "random chunks: \(chunked) but the reference parser gives \(expected)")

    for frame in expected.frames {
        let message = checkMessage(type: frame.type, body: frame.body[...])
        require((try? frame.message()) == message, "SyncFrame.message() disagrees with SyncMessage(type:body:)")
    }
    return 0
}

/// The frames a stream holds and how it ends: nil when it ends cleanly at a frame boundary.
private struct Outcome: Equatable, CustomStringConvertible {
    var frames: [SyncFrame] = []
    var error: ProtocolError.Code?

    var description: String { "\(frames.count) frames, then \(error.map { "\($0)" } ?? "a clean end")" }
}

private func referenceDecode(_ stream: [UInt8], maximumFrameSize: Int) -> Outcome {
    var outcome = Outcome()
    let magic = SyncProtocol.magic
    guard stream.prefix(magic.count).elementsEqual(magic.prefix(min(stream.count, magic.count))) else {
        outcome.error = .badMagic
        return outcome
    }
    guard stream.count >= magic.count else {
        outcome.error = stream.isEmpty ? nil : .truncated
        return outcome
    }
    var at = magic.count
    while at < stream.count {
        guard stream.count - at >= 4 else {
            outcome.error = .truncated
            return outcome
        }
        let length = stream[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length >= 1, length <= maximumFrameSize else {
            outcome.error = .frameTooLarge
            return outcome
        }
        guard stream.count - at - 4 >= length else {
            outcome.error = .truncated
            return outcome
        }
        outcome.frames.append(SyncFrame(type: stream[at + 4], body: Array(stream[at + 5..<at + 4 + length])))
        at += 4 + length
    }
    return outcome
}

private func code(of error: any Error, streamLength: Int) -> ProtocolError.Code {
    guard let error = error as? ProtocolError else {
        require(false, "the frame decoder threw \(type(of: error)), not a ProtocolError: \(error)")
        return .internalError
    }
    requireWellFormed(error, inputEnd: streamLength, "SyncFrameDecoder")
    return error.code
}

private func decodeWhole(_ stream: [UInt8], maximumFrameSize: Int) -> Outcome {
    var outcome = Outcome()
    var decoder = SyncFrameDecoder(maximumFrameSize: maximumFrameSize)
    var buffer = ByteBuffer(bytes: stream)
    do {
        while let frame = try decoder.decode(buffer: &buffer) { outcome.frames.append(frame) }
        while let frame = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { outcome.frames.append(frame) }
        require(buffer.readableBytes == 0, "decodeLast returned nil with \(buffer.readableBytes) bytes unread")
    } catch {
        outcome.error = code(of: error, streamLength: stream.count)
    }
    return outcome
}

private func decodeChunked(_ stream: [UInt8], maximumFrameSize: Int, random: inout SplitMix64) -> Outcome {
    var outcome = Outcome()
    let processor = NIOSingleStepByteToMessageProcessor(SyncFrameDecoder(maximumFrameSize: maximumFrameSize))
    var at = 0
    do {
        while at < stream.count {
            let left = stream.count - at
            // Half the chunks are 1 to 8 bytes, so splits land inside lengths and the magic.
            let size = random.next() % 2 == 0 ? min(left, random.upTo(8)) : random.upTo(left)
            try processor.process(buffer: ByteBuffer(bytes: stream[at..<at + size])) { outcome.frames.append($0) }
            at += size
        }
        try processor.finishProcessing(seenEOF: true) { outcome.frames.append($0) }
    } catch {
        outcome.error = code(of: error, streamLength: stream.count)
    }
    return outcome
}
