import Foundation
import GRDB
import GlossCore

extension GlossStore {
    /// For each entry of `clock` (in its order), `chain(r, clock[r])` and r's signature of it:
    /// signed now for this replica's own entry, the checkpoint received for the others (64 zero
    /// bytes for a history received before Gloss signed changes).
    public func signedHeads(at clock: VersionVector) throws(GlossStoreError) -> [SignedHead] {
        let key = try replicaKey()
        return try access {
            try database.read { db in
                try clock.sortedEntries.map { replica, seq in
                    guard let ordinal = try ReplicaOrdinals.existing(replica, in: db),
                        let chain = try SignatureRows.chain(ordinal: ordinal, seq: seq, in: db)
                    else { throw GlossStoreError(.notAGlossStore, "the chain hash of change \(replica.hex):\(seq) is missing") }
                    if replica == identity.replicaID {
                        let message = Checkpoint.message(store: identity.storeID, author: replica, seq: seq, chain: chain)
                        return SignedHead(chain: chain, signature: try key.sign(message))
                    }
                    let signature = try Data.fetchOne(
                        db, sql: "SELECT signature FROM checkpoint WHERE replica = ? AND seq = ?",
                        arguments: [ordinal, Int64(bitPattern: seq)])
                    return SignedHead(chain: chain, signature: signature.map { Array($0) } ?? SignedHead.unsigned.signature)
                }
            }
        }
    }

    /// The replicas whose history, as a peer at `clock` vouches for it with `heads` (one per
    /// entry, in the clock's order), differs from the one held here at a seq held here too.
    public func forkedAuthors(in clock: VersionVector, heads: [SignedHead]) throws(GlossStoreError) -> [ReplicaID] {
        try access {
            try database.read { db in
                var forked: [ReplicaID] = []
                for ((replica, seq), head) in zip(clock.sortedEntries, heads) {
                    guard let ordinal = try ReplicaOrdinals.existing(replica, in: db),
                        let held = try SignatureRows.chain(ordinal: ordinal, seq: seq, in: db)
                    else { continue }
                    if held != head.chain { forked.append(replica) }
                }
                return forked
            }
        }
    }
}
