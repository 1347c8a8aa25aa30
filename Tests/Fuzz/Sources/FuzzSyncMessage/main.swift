// libFuzzer target: every sync message body, `SyncMessage(type:body:)`. The first input byte is
// the frame's type (values 1 to 8 are the messages, others must be refused), the rest the body.
// The body is passed as a slice that starts at index 1 of the input, as the reader must handle
// slices that do not start at 0.
//
// Properties, besides not crashing under AddressSanitizer (FuzzSupport's checkMessage):
// - a refusal is a ProtocolError with a SPEC code and an offset inside the input;
// - an accepted message frames as length, type, body, where the body is the input's byte for
//   byte (a HELLO's is a prefix of it: later versions may append fields), and decodes back equal;
// - the changes of a CHANGES message re-encode to the batch bytes and pass `validateShape()`.
import FuzzSupport
import GlossCore
import GlossProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = inputBytes(start, count)
    guard let type = bytes.first else { return 0 }
    let body = bytes[1...]
    let message = checkMessage(type: type, body: body)
    if type == SyncMessage.Kind.changes.rawValue, case .changes(let batch, let changes)? = message {
        // The batch number is a varint before the batch: skip its canonical length.
        var writer = WireWriter()
        writer.writeVarint(batch)
        checkDecodedBatch(changes, from: body.dropFirst(writer.bytes.count), "CHANGES")
    }
    // The same body as an array of its own (indices from 0) must decode to the same result.
    let copy = Array(body)
    require((try? SyncMessage(type: type, body: copy[...])) == message, "a body decodes differently as a slice at 1 and at 0")
    return 0
}
