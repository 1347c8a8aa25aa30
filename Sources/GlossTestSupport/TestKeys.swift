import Crypto
import GlossCore

/// Deterministic Ed25519 keys for simulated replicas, and signing of their changes as every
/// apply path requires (SPEC §6.6). Test keys only: the seed is public.
public enum TestKeys {
    /// The key of simulated replica `number`.
    public static func key(_ number: UInt64) -> Curve25519.Signing.PrivateKey {
        var seed = Array("gloss-test-key".utf8)
        seed += (0..<8).map { UInt8(truncatingIfNeeded: number >> ($0 * 8)) }
        return try! Curve25519.Signing.PrivateKey(rawRepresentation: Array(SHA256.hash(data: seed)))
    }

    public static func replicaID(_ number: UInt64) -> ReplicaID {
        ID128.derived(fromPublicKey: Array(key(number).publicKey.rawRepresentation))
    }

    private static let known: [ReplicaID: Curve25519.Signing.PrivateKey] = Dictionary(
        uniqueKeysWithValues: (1...64).map { (replicaID(UInt64($0)), key(UInt64($0))) })

    /// `changes` signed for store `store` by their authors, which must be simulated replicas
    /// (numbers 1 to 64) or have a key in `extraKeys`. `history` holds every earlier change of
    /// each author (in any order, more is fine), from which the chain hashes are computed.
    ///
    /// `atDependencies`: also sign each author's changes that other changes in `changes` depend
    /// on, as a store's bundle signs its own and carries the checkpoints of other authors' syncs.
    public static func sign(
        _ changes: [Change], store: StoreID, history: [Change] = [],
        extraKeys: [Curve25519.Signing.PrivateKey] = [], atDependencies: Bool = false
    ) -> SignedBatch {
        let dependedOn = Set(
            atDependencies
                ? changes.flatMap { change in
                    change.dependencies.sortedEntries.filter { $0.replica != change.id.replica }.map {
                        Dot(replica: $0.replica, seq: $0.seq)
                    }
                } : [])
        var keys = known
        for key in extraKeys { keys[ID128.derived(fromPublicKey: Array(key.publicKey.rawRepresentation))] = key }
        var byAuthor: [ReplicaID: [UInt64: Change]] = [:]
        for change in history + changes { byAuthor[change.id.replica, default: [:]][change.id.seq] = change }
        var bounds: [ReplicaID: (first: UInt64, last: UInt64)] = [:]
        for change in changes {
            let bound = bounds[change.id.replica] ?? (change.id.seq, change.id.seq)
            bounds[change.id.replica] = (min(bound.first, change.id.seq), max(bound.last, change.id.seq))
        }
        var runs: [SignedRun] = []
        for (author, bound) in bounds {
            guard let key = keys[author] else { preconditionFailure("no test key for replica \(author.hex)") }
            var chain = ChainHash.zero
            var base = ChainHash.zero
            var checkpoints: [Checkpoint] = []
            for seq in 1...bound.last {
                if seq == bound.first { base = chain }
                guard let change = byAuthor[author]?[seq] else { preconditionFailure("change \(author.hex):\(seq) is not in the history") }
                chain = chain.extended(with: change)
                // As an author does: at the run's end and every 256 changes in it.
                let depended = dependedOn.contains(Dot(replica: author, seq: seq))
                if seq >= bound.first && (seq == bound.last || seq % 256 == 0 || depended) {
                    let message = Checkpoint.message(store: store, author: author, seq: seq, chain: chain)
                    checkpoints.append(Checkpoint(seq: seq, signature: Array(try! key.signature(for: message))))
                }
            }
            runs.append(
                SignedRun(
                    author: author, key: AuthorKey(bytes: key.publicKey.rawRepresentation)!, base: base, checkpoints: checkpoints))
        }
        return SignedBatch(changes: changes, runs: runs)
    }
}
