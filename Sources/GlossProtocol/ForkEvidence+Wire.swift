import GlossCore

extension ForkEvidence {
    /// The smallest encoding: key, a 1-byte seq, and two histories of a 1-byte base, a chain
    /// hash, an empty batch (2 bytes) and a signature.
    static let minimumSize = 32 + 1 + 2 * (1 + 32 + 2 + 64)

    /// Reads evidence (SPEC §6.7), leaving the reader just past it. Checks the encoding only;
    /// `verify(store:)` checks the proof.
    public static func read(from reader: inout WireReader) throws(ProtocolError) -> ForkEvidence {
        let key = AuthorKey(bytes: try reader.readBytes(AuthorKey.length, "the author's key"))!
        let seq = try reader.readVarint("the seq the histories differ at")
        var histories: [SignedHistory] = []
        for _ in 0..<2 {
            let base = try reader.readVarint("a history's base seq")
            let chain = ChainHash(bytes: try reader.readBytes(ChainHash.length, "a history's base chain hash"))!
            let changes = try ChangeBatch.read(from: &reader)
            let signature = Array(try reader.readBytes(Checkpoint.signatureLength, "a history's signature"))
            histories.append(SignedHistory(base: base, baseChain: chain, changes: changes, signature: signature))
        }
        return ForkEvidence(key: key, seq: seq, first: histories[0], second: histories[1])
    }

    /// Reads bytes that hold one piece of evidence and nothing else.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> ForkEvidence {
        var reader = WireReader(bytes)
        let evidence = try read(from: &reader)
        try reader.expectEnd(after: "the evidence")
        return evidence
    }
}
