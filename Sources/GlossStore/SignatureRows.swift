import Foundation
import GRDB
import GlossCore

/// The signed history's rows (SPEC §6.6): each change's chain hash (column `change.chain`),
/// each author's public key (`replica.key`) and the authors' checkpoints received (`checkpoint`).
///
/// The store signs its own changes when it sends them, so it keeps no checkpoints of its own;
/// it keeps every checkpoint it receives, so it can forward any batch it received, cut where it
/// was cut.
enum SignatureRows {
    /// `chain(author, seq)`, or nil when the change is not held (`.zero` for seq 0).
    static func chain(ordinal: Int64, seq: UInt64, in db: Database) throws -> ChainHash? {
        guard seq > 0 else { return .zero }
        let bytes = try Data.fetchOne(
            db.cachedStatement(sql: "SELECT chain FROM change WHERE replica = ? AND seq = ?"),
            arguments: [ordinal, Int64(bitPattern: seq)])
        return bytes.flatMap { ChainHash(bytes: $0) }
    }

    static func chain(of dot: Dot, in db: Database) throws -> ChainHash? {
        guard dot.seq > 0 else { return .zero }
        guard let ordinal = try ReplicaOrdinals.existing(dot.replica, in: db) else { return nil }
        return try chain(ordinal: ordinal, seq: dot.seq, in: db)
    }

    /// Keeps what a verified run brings: its author's key and its checkpoints.
    static func store(_ run: SignedRun, in db: Database) throws {
        let ordinal = try ReplicaOrdinals.ordinal(of: run.author, in: db)
        try db.cachedStatement(sql: "UPDATE replica SET key = ? WHERE ordinal = ? AND key IS NULL")
            .execute(arguments: [Data(run.key.bytes), ordinal])
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO checkpoint (replica, seq, signature) VALUES (?, ?, ?)")
        for checkpoint in run.checkpoints {
            try insert.execute(arguments: [ordinal, Int64(bitPattern: checkpoint.seq), Data(checkpoint.signature)])
        }
    }

    /// The runs that sign `changes` (held here, in a causal order) for store `store`: own
    /// changes signed now with `key`, other authors' with the checkpoints received. Throws when
    /// another author's last change in `changes` has no checkpoint here (a history received
    /// before Gloss signed changes: only its author can sign it).
    ///
    /// `atDependencies` (a bundle): also sign own changes that other changes here depend on.
    /// Not for sync pages, whose size `PageCut` counts with the checkpoints it knows of.
    static func runs(
        signing changes: [Change], store: StoreID, key: ReplicaKey, atDependencies: Bool = false, in db: Database
    ) throws -> [SignedRun] {
        var bounds: [ReplicaID: (first: UInt64, last: UInt64)] = [:]
        for change in changes {
            let seq = change.id.seq
            let bound = bounds[change.id.replica] ?? (seq, seq)
            bounds[change.id.replica] = (min(bound.first, seq), max(bound.last, seq))
        }
        let own = key.replicaID
        // Own changes other changes here depend on: signed there too, so that a receiver can
        // commit the batch in slices cut at those points (`SignedBatch.slices`). Other authors'
        // runs carry the checkpoints received, which fall at the ends of their syncs already.
        let dependedOn = atDependencies ? Set(changes.lazy.filter { $0.id.replica != own }.map { $0.dependencies[own] }) : []
        var runs: [SignedRun] = []
        for (author, bound) in bounds {
            guard let ordinal = try ReplicaOrdinals.existing(author, in: db),
                let base = try chain(ordinal: ordinal, seq: bound.first - 1, in: db),
                let last = try chain(ordinal: ordinal, seq: bound.last, in: db)
            else { throw GlossStoreError(.notAGlossStore, "the chain hashes of replica \(author.hex) are missing") }
            if author == own {
                // Signed at its end, and every `ownCheckpointInterval` changes, so that a relay
                // can forward the run in smaller batches than this one (SPEC §6.6, "Writers").
                var seqs = stride(
                    from: (bound.first + ownCheckpointInterval - 1) / ownCheckpointInterval * ownCheckpointInterval,
                    to: bound.last, by: Int(ownCheckpointInterval)
                ).filter { $0 >= bound.first }
                seqs = Set(seqs).union(dependedOn.filter { (bound.first..<bound.last).contains($0) }).sorted()
                seqs.append(bound.last)
                var checkpoints: [Checkpoint] = []
                for seq in seqs {
                    guard let chain = seq == bound.last ? last : try chain(ordinal: ordinal, seq: seq, in: db) else { continue }
                    let message = Checkpoint.message(store: store, author: own, seq: seq, chain: chain)
                    checkpoints.append(Checkpoint(seq: seq, signature: try key.sign(message)))
                }
                runs.append(SignedRun(author: own, key: key.authorKey, base: base, checkpoints: checkpoints))
                continue
            }
            guard let keyBytes = try Data.fetchOne(db, sql: "SELECT key FROM replica WHERE ordinal = ?", arguments: [ordinal]),
                let authorKey = AuthorKey(bytes: keyBytes)
            else { throw unsigned(author) }
            var checkpoints: [Checkpoint] = []
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, signature FROM checkpoint WHERE replica = ? AND seq >= ? AND seq <= ? ORDER BY seq",
                arguments: [ordinal, Int64(bitPattern: bound.first), Int64(bitPattern: bound.last)])
            for row in rows {
                let signature: Data = row[1]
                checkpoints.append(Checkpoint(seq: UInt64(bitPattern: row[0]), signature: Array(signature)))
            }
            guard checkpoints.last?.seq == bound.last else { throw unsigned(author) }
            runs.append(SignedRun(author: author, key: authorKey, base: base, checkpoints: checkpoints))
        }
        return runs
    }

    /// How often an author signs inside a run of its own changes it sends: about 0.3 bytes a
    /// change, and a relay's batches of them can be as small as this.
    static let ownCheckpointInterval: UInt64 = 256

    static func unsigned(_ author: ReplicaID) -> GlossStoreError {
        GlossStoreError(
            .unsignedChange,
            "the changes of replica \(author.hex) here predate signed history and only that replica can send them on")
    }

    /// Schema v4: the chain hash of every change already held, and this replica's own key.
    /// Other authors' old changes stay unsigned: this store applies them, but cannot forward them.
    static func upgradeUnsignedStore(_ db: Database) throws {
        if let raw = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'signing-key'"),
            let key = ReplicaKey(privateKeyBytes: raw)
        {
            let ordinal = try ReplicaOrdinals.ordinal(of: key.replicaID, in: db)
            try db.execute(sql: "UPDATE replica SET key = ? WHERE ordinal = ?", arguments: [Data(key.authorKey.bytes), ordinal])
        }
        for ordinal in try Int64.fetchAll(db, sql: "SELECT DISTINCT replica FROM change") {
            var chain = ChainHash.zero
            for change in try ChangeRows.fetch(db, where: "c.replica = ?", arguments: [ordinal], layout: .beforeRevisions) {
                chain = chain.extended(with: change)
                try db.execute(
                    sql: "UPDATE change SET chain = ? WHERE replica = ? AND seq = ?",
                    arguments: [Data(chain.bytes), ordinal, Int64(bitPattern: change.id.seq)])
            }
        }
    }
}

extension ReplicaKey {
    /// The public half, as authors' keys travel in signed runs.
    public var authorKey: AuthorKey { AuthorKey(bytes: key.publicKey.rawRepresentation)! }

    /// Ed25519 signature of `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8] { Array(try key.signature(for: message)) }
}
