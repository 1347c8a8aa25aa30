// libFuzzer target: a signed change batch (SPEC §6.1 and §6.6: the replica table, a change
// count, the changes, the checkpoint table), the part of a CHANGES message and of a bundle that
// a peer or a file controls.
//
// Properties, besides not crashing under AddressSanitizer:
// - `SignedBatch.read(from:)` either throws a ProtocolError with a SPEC code and an offset inside
//   the input, or reads a prefix of the input whose canonical re-encoding is that prefix, byte
//   for byte, and decodes back to an equal batch;
// - `SignedBatch.decode(_:)` accepts exactly when `read` accepts and reads every byte, with the
//   same batch, and otherwise fails as `read` did or with `.trailingBytes`;
// - `verify(store:)` on an accepted batch returns one chain hash per change or refuses with
//   `unsignedChange` or `badSignature`.
import FuzzSupport
import GlossCore
import GlossProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = inputBytes(start, count)
    var reader = WireReader(bytes)
    let read: Result<SignedBatch, ProtocolError>
    do {
        let batch = try SignedBatch.read(from: &reader)
        checkDecodedBatch(batch, from: bytes[..<reader.offset], "SignedBatch.read")
        read = .success(batch)
    } catch {
        requireWellFormed(error, inputEnd: bytes.count, "SignedBatch.read")
        read = .failure(error)
    }
    do {
        let batch = try SignedBatch.decode(bytes)
        require(reader.isAtEnd, "SignedBatch.decode accepted \(bytes.count) bytes, read stopped at \(reader.offset)")
        require(read == .success(batch), "SignedBatch.decode and read disagree: \(read) vs \(batch)")
    } catch {
        requireWellFormed(error, inputEnd: bytes.count, "SignedBatch.decode")
        switch read {
        case .failure(let readError):
            require(error == readError, "SignedBatch.decode failed with \(error), read with \(readError)")
        case .success:
            require(
                error.code == .trailingBytes && error.offset == reader.offset && !reader.isAtEnd,
                "SignedBatch.decode failed with \(error) where read stopped at \(reader.offset) of \(bytes.count)")
        }
    }
    return 0
}
