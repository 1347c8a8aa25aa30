/// Proof that an author signed two different histories (SPEC §6.7): two signed stretches of its
/// history that both reach change `seq` and give it different chain hashes. Anyone who knows
/// the store id can check it; no one but the author could have made it.
///
/// Each stretch starts from a chain hash at `base` and carries the author's changes after it,
/// up to a change it signed (`SignedHistory`); a stretch with no changes is a signed head, as a
/// HELLO carries. The two chain hashes at `seq` follow from the bases and the changes.
public struct ForkEvidence: Hashable, Sendable {
    public var key: AuthorKey
    /// The change at which the two histories are shown to differ.
    public var seq: UInt64
    public var first: SignedHistory
    public var second: SignedHistory

    public init(key: AuthorKey, seq: UInt64, first: SignedHistory, second: SignedHistory) {
        self.key = key
        self.seq = seq
        self.first = first
        self.second = second
    }

    public var author: ReplicaID { key.replicaID }

    /// Checks the proof in store `store`: both stretches are the author's, signed, and reach
    /// `seq` with different chain hashes.
    public func verify(store: StoreID) throws(GlossCoreError) {
        let one = try first.chain(at: seq, of: key, store: store)
        let other = try second.chain(at: seq, of: key, store: store)
        guard one != other else {
            throw GlossCoreError(.badSignature, "the two histories of replica \(author.hex) agree at change \(seq): no fork is shown")
        }
    }
}

/// A stretch of one author's history: the chain hash after change `base`, the changes
/// `base + 1 ...` in order, and the author's signature of the chain hash after the last (of
/// `base` itself when there are none).
public struct SignedHistory: Hashable, Sendable {
    public var base: UInt64
    public var baseChain: ChainHash
    public var changes: [Change]
    public var signature: [UInt8]

    public init(base: UInt64, baseChain: ChainHash, changes: [Change], signature: [UInt8]) {
        self.base = base
        self.baseChain = baseChain
        self.changes = changes
        self.signature = signature
    }

    /// The last change the stretch reaches, which the signature is of; nil past 2^64 − 1.
    public var end: UInt64? {
        let (end, overflow) = base.addingReportingOverflow(UInt64(changes.count))
        return overflow ? nil : end
    }

    /// The chain hash at `seq` (from `base` to `end`), after checking the stretch is `key`'s
    /// consecutive changes, signed at its end.
    func chain(at seq: UInt64, of key: AuthorKey, store: StoreID) throws(GlossCoreError) -> ChainHash {
        let author = key.replicaID
        guard let end else {
            throw GlossCoreError(.unsignedChange, "a history of replica \(author.hex) runs past the largest sequence number")
        }
        var chain = baseChain
        var atSeq = base == seq ? chain : nil
        for (offset, change) in changes.enumerated() {
            // base + 1 + offset ≤ end, which did not overflow.
            guard change.id == Dot(replica: author, seq: base + 1 + UInt64(offset)) else {
                throw GlossCoreError(.unsignedChange, "a history of replica \(author.hex) holds change \(change.id) out of place")
            }
            chain = chain.extended(with: change)
            if change.id.seq == seq { atSeq = chain }
        }
        guard key.verifies(signature, of: Checkpoint.message(store: store, author: author, seq: end, chain: chain)) else {
            throw GlossCoreError(.badSignature, "a history of replica \(author.hex) is not signed by it at change \(end)")
        }
        guard let atSeq else {
            throw GlossCoreError(.badSignature, "a history of replica \(author.hex) from \(base) to \(end) does not reach change \(seq)")
        }
        return atSeq
    }
}
