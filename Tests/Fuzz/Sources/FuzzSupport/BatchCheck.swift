import GlossCore
import GlossProtocol

/// The store id signatures are checked against in the fuzz targets: the vectors' store.
public let fuzzStoreID = ID128(hex: "5a1e5a1e000000000000000000000001")!

/// Checks a signed batch a decoder accepted: each change goes through the model's shape rules
/// (`Change.validateShape()`, which a receiver runs next) without crashing, the batch encodes
/// to exactly `bytes` (the encoding is canonical: SPEC §6.5, §6.6) and decodes back equal, and
/// its signatures are checked without crashing, with one chain hash per change when they hold.
public func checkDecodedBatch(_ batch: SignedBatch, from bytes: ArraySlice<UInt8>, _ what: String) {
    for change in batch.changes {
        _ = try? change.validateShape()
    }
    let encoded = batch.encoded()
    require(encoded.elementsEqual(bytes), "\(what): the \(batch.changes.count) decoded changes re-encode to other bytes")
    do {
        let again = try SignedBatch.decode(encoded)
        require(again == batch, "\(what): the batch decoded from its own encoding differs")
    } catch {
        require(false, "\(what): the batch fails to decode from its own encoding: \(error)")
    }
    do {
        let chains = try batch.verify(store: fuzzStoreID)
        require(chains.count == batch.changes.count, "\(what): verify gave \(chains.count) chain hashes for \(batch.changes.count) changes")
    } catch {
        require(error.code == .unsignedChange || error.code == .badSignature, "\(what): verify refused with \(error.code)")
    }
}
