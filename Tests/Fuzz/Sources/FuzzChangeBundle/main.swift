// libFuzzer target: the bundle reader, `ChangeBundle(decoding:)`, on any file a person may be
// handed (`gloss bundle apply`, `gloss clone FILE`).
//
// Each input is decoded twice: as it is, and with its last 32 bytes replaced by the right
// SHA-256 of the bytes before them. Without the second decode almost every mutation would stop
// at the checksum, and the fuzzer would never reach the batch inside.
//
// Properties, besides not crashing under AddressSanitizer:
// - a refusal is a ProtocolError with a SPEC code and an offset inside the input;
// - an accepted bundle re-encodes (`encoded()`) to the input byte for byte, its changes pass
//   through `validateShape()` and its signatures through `verified()` without crashing, and
//   decoding `encoded()` gives an equal bundle;
// - an input accepted as it is decodes the same after the checksum fix (which changes nothing).
import Crypto
import FuzzSupport
import GlossCore
import GlossProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = inputBytes(start, count)
    let asIs = decode(bytes, "as it is")
    if bytes.count >= ChangeBundle.checksumLength {
        let bodyEnd = bytes.count - ChangeBundle.checksumLength
        let fixed = Array(bytes[..<bodyEnd]) + Array(SHA256.hash(data: bytes[..<bodyEnd]))
        let afterFix = decode(fixed, "with its checksum fixed")
        if let asIs {
            require(fixed == bytes, "a bundle accepted as it is has a checksum other than the SHA-256 of its body")
            require(afterFix == asIs, "the same bytes decode to two different bundles")
        }
    }
    return 0
}

private func decode(_ bytes: [UInt8], _ what: String) -> ChangeBundle? {
    let bundle: ChangeBundle
    do {
        bundle = try ChangeBundle(decoding: bytes)
    } catch {
        requireWellFormed(error, inputEnd: bytes.count, "ChangeBundle(decoding:) \(what)")
        return nil
    }
    for change in bundle.changes {
        _ = try? change.validateShape()
    }
    do {
        let chains = try bundle.verified()
        require(chains.count == bundle.changes.count, "a verified bundle gave the wrong number of chain hashes")
    } catch {
        require(error.code == .unsignedChange || error.code == .badSignature, "a bundle's signatures refused with \(error.code)")
    }
    let encoded = bundle.encoded()
    require(encoded == bytes, "a bundle decoded \(what) re-encodes to other bytes (\(encoded.count) for \(bytes.count))")
    do {
        let again = try ChangeBundle(decoding: encoded)
        require(again == bundle, "a bundle decoded from its own encoding differs")
    } catch {
        require(false, "a bundle fails to decode from its own encoding: \(error)")
    }
    return bundle
}
