import GlossCore
import GlossProtocol

/// Checks changes a decoder accepted: each goes through the model's shape rules
/// (`Change.validateShape()`, which a receiver runs next) without crashing, and the changes
/// encode to exactly `bytes` (the encoding is canonical: SPEC, ChangeBatch) and decode back equal.
public func checkDecodedBatch(_ changes: [Change], from bytes: ArraySlice<UInt8>, _ what: String) {
    for change in changes {
        _ = try? change.validateShape()
    }
    let encoded = ChangeBatch.encoded(changes)
    require(encoded.elementsEqual(bytes), "\(what): the \(changes.count) decoded changes re-encode to other bytes")
    do {
        let again = try ChangeBatch.decode(encoded)
        require(again == changes, "\(what): the changes decoded from their own encoding differ")
    } catch {
        require(false, "\(what): the changes fail to decode from their own encoding: \(error)")
    }
}
