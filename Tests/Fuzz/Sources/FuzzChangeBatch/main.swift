// libFuzzer target: a change batch (SPEC: the replica table, a change count, the changes), the
// part of a CHANGES message and of a bundle that a peer or a file controls.
//
// Properties, besides not crashing under AddressSanitizer:
// - `ChangeBatch.read(from:)` either throws a ProtocolError with a SPEC code and an offset inside
//   the input, or reads a prefix of the input whose canonical re-encoding is that prefix, byte
//   for byte, and decodes back to equal changes;
// - `ChangeBatch.decode(_:)` accepts exactly when `read` accepts and reads every byte, with the
//   same changes, and otherwise fails as `read` did or with `.trailingBytes`.
import FuzzSupport
import GlossCore
import GlossProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = inputBytes(start, count)
    var reader = WireReader(bytes)
    let read: Result<[Change], ProtocolError>
    do {
        let changes = try ChangeBatch.read(from: &reader)
        checkDecodedBatch(changes, from: bytes[..<reader.offset], "ChangeBatch.read")
        read = .success(changes)
    } catch {
        requireWellFormed(error, inputEnd: bytes.count, "ChangeBatch.read")
        read = .failure(error)
    }
    do {
        let changes = try ChangeBatch.decode(bytes)
        require(reader.isAtEnd, "ChangeBatch.decode accepted \(bytes.count) bytes, read stopped at \(reader.offset)")
        require(read == .success(changes), "ChangeBatch.decode and read disagree: \(read) vs \(changes)")
    } catch {
        requireWellFormed(error, inputEnd: bytes.count, "ChangeBatch.decode")
        switch read {
        case .failure(let readError):
            require(error == readError, "ChangeBatch.decode failed with \(error), read with \(readError)")
        case .success:
            require(
                error.code == .trailingBytes && error.offset == reader.offset && !reader.isAtEnd,
                "ChangeBatch.decode failed with \(error) where read stopped at \(reader.offset) of \(bytes.count)")
        }
    }
    return 0
}
