import Foundation
import GRDB
import GlossCore

/// A store restored from a backup, or copied to another device, taking a new replica id so that
/// it and its original never write two different changes under one id (SPEC §4.10).
///
/// 1. `beginRecovery(sharedUpTo:serverHeld:)`: a new key, and a succession statement by the old key that
///    every device that trusted the old id honours (SPEC §11.4.1). Changes the old id wrote up
///    to `sharedUpTo` are known to be the ones a peer holds; the rest may have forked.
/// 2. The next sync announces only that much of the old id's history, and sends none of it;
///    `apply` compares what the peer holds of the old id with what is held here, and re-issues
///    under the new id the changes after the first difference (`Change.reissued`), in the same
///    transaction that takes the peer's history of the old id instead.
/// 3. `finishRecovery()` once a sync completed.
public struct Recovery: Hashable, Sendable {
    /// The replica id this store wrote under before.
    public let oldReplicaID: ReplicaID
    /// The old id's changes up to here are the ones its peers hold.
    public let sharedUpTo: UInt64
    /// Changes re-issued under the new id so far.
    public let reissued: Int
    /// The old id's last change the server that showed the restore held: the recovery is done
    /// once the old id's history has been compared up to there.
    public let target: UInt64
    /// How far the old id's history has been compared with a peer's.
    public let compared: UInt64

    /// True once the old id's history held here has been compared as far as the server held it.
    public var isComplete: Bool { compared >= target }
}

extension GlossStore {
    /// Takes a new replica id and key (see `Recovery`). Returns the old and new replica ids; open
    /// the store again to use the new identity.
    public func beginRecovery(sharedUpTo: UInt64, serverHeld: UInt64) throws(GlossStoreError) -> (old: ReplicaID, new: ReplicaID) {
        let old = try replicaKey()
        let new = ReplicaKey()
        let store = identity.storeID
        return try access {
            try database.write { db in
                guard try Recovery.read(db) == nil else {
                    throw GlossStoreError(.notWritable, "this store is already taking a new replica id; sync to finish it")
                }
                let shared = min(sharedUpTo, try ChangeRows.clock(in: db)[old.replicaID])
                // The old id's shared history, signed while its key is at hand, so this store can
                // forward it in batches of any size once it is another author's.
                let ordinal = try ReplicaOrdinals.ordinal(of: old.replicaID, in: db)
                try db.execute(
                    sql: "UPDATE replica SET key = ? WHERE ordinal = ?", arguments: [Data(old.authorKey.bytes), ordinal])
                var seqs = Array(stride(from: UInt64(256), through: shared, by: 256))
                if shared > 0 { seqs.append(shared) }
                for seq in seqs {
                    guard let chain = try SignatureRows.chain(ordinal: ordinal, seq: seq, in: db) else { continue }
                    let signature = try old.sign(Checkpoint.message(store: store, author: old.replicaID, seq: seq, chain: chain))
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO checkpoint (replica, seq, signature) VALUES (?, ?, ?)",
                        arguments: [ordinal, Int64(bitPattern: seq), Data(signature)])
                }
                let statement = Succession(
                    key: old.authorKey,
                    signature: try old.sign(Succession.message(store: store, from: old.replicaID, to: new.replicaID)))
                let successions = try Self.successions(in: db) + [statement]
                _ = try ReplicaOrdinals.ordinal(of: new.replicaID, in: db)
                let rows: [(String, Data)] = [
                    ("replica-id", Data(new.replicaID.bytes)), ("signing-key", Data(new.privateKeyBytes)),
                    ("successions", Data(successions.flatMap { $0.key.bytes + $0.signature })),
                    (
                        "recovery",
                        Recovery(oldReplicaID: old.replicaID, sharedUpTo: shared, reissued: 0, target: serverHeld, compared: shared).stored
                    ),
                ]
                for (key, value) in rows {
                    try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
                }
                return (old.replicaID, new.replicaID)
            }
        }
    }

    /// The recovery under way, if any.
    public func recovery() throws(GlossStoreError) -> Recovery? {
        try access { try database.read { db in try Recovery.read(db) } }
    }

    /// Ends a recovery after a completed sync; returns it.
    @discardableResult
    public func finishRecovery() throws(GlossStoreError) -> Recovery? {
        try access {
            try database.write { db in
                let recovery = try Recovery.read(db)
                try db.execute(sql: "DELETE FROM meta WHERE key = 'recovery'")
                return recovery
            }
        }
    }

    /// The statements by which this replica's earlier keys handed over to its present one,
    /// oldest first: sent in every HELLO.
    public func successions() throws(GlossStoreError) -> [Succession] {
        try access { try database.read { db in try Self.successions(in: db) } }
    }

    static func successions(in db: Database) throws -> [Succession] {
        guard let bytes = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'successions'") else { return [] }
        let raw = Array(bytes)
        let size = AuthorKey.length + Checkpoint.signatureLength
        return stride(from: 0, to: raw.count - raw.count % size, by: size).map {
            Succession(key: AuthorKey(bytes: raw[$0..<$0 + AuthorKey.length])!, signature: Array(raw[$0 + AuthorKey.length..<$0 + size]))
        }
    }

    /// In `apply`, inside its transaction: when the batch holds the old id's changes that differ
    /// from the ones held here, takes them out (with the state they made) and returns them, to be
    /// re-issued after the batch. The caller's clock is updated.
    static func takeForkedChanges(
        of batch: SignedBatch, chains: [ChainHash], recovery: Recovery, clock: inout VersionVector, in db: Database
    )
        throws -> [Change]
    {
        let old = recovery.oldReplicaID
        var firstDifference: UInt64?
        var reached = recovery.compared
        for (change, chain) in zip(batch.changes, chains) where change.id.replica == old {
            reached = max(reached, change.id.seq)
            if clock.contains(change.id), try SignatureRows.chain(of: change.id, in: db) != chain {
                firstDifference = min(firstDifference ?? .max, change.id.seq)
            }
        }
        if reached > recovery.compared { try recovery.with(compared: reached).store(in: db) }
        guard let first = firstDifference, let ordinal = try ReplicaOrdinals.existing(old, in: db) else { return [] }
        var forked = try ChangeRows.fetch(db, where: "c.replica = ? AND c.seq >= ?", arguments: [ordinal, Int64(bitPattern: first)])
        for table in ["operation", "checkpoint", "change"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE replica = ? AND seq >= ?", arguments: [ordinal, Int64(bitPattern: first)])
        }
        // What this replica wrote under its new id since the re-key saw the changes taken out:
        // it is taken out too and re-issued after them, renumbered, which is safe only while no
        // peer holds any of it.
        let current = try StoreIdentity.read(db).replicaID
        if let own = try ReplicaOrdinals.existing(current, in: db), clock[current] > 0 {
            for blob in try Data.fetchAll(db, sql: "SELECT clock FROM peer") where VersionVector(storedBlob: blob)[current] > 0 {
                throw GlossStoreError(
                    .notWritable,
                    "this store took a new id after a restore, and a peer already holds changes it wrote under it; it cannot re-issue its old changes safely. Copy its notes by hand into a fresh clone"
                )
            }
            forked += try ChangeRows.fetch(db, where: "c.replica = ?", arguments: [own])
            for table in ["operation", "change", "clock"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE replica = ?", arguments: [own])
            }
            clock[current] = 0
        }
        clock[old] = first - 1
        if first > 1 {
            try db.execute(sql: "UPDATE clock SET seq = ? WHERE replica = ?", arguments: [Int64(bitPattern: first - 1), ordinal])
        } else {
            try db.execute(sql: "DELETE FROM clock WHERE replica = ?", arguments: [ordinal])
        }
        try rebuildState(in: db)
        return forked
    }

    /// Re-issues `forked` (the old id's changes from one seq on, ascending) under this replica's
    /// present id, after the batch that replaced them was applied.
    static func reissue(_ forked: [Change], as author: ReplicaID, clock: inout VersionVector, in db: Database) throws {
        guard let first = forked.first else { return }
        let old = first.id.replica
        var renamed: [EntityID: EntityID] = [:]
        for change in forked {
            let dot = Dot(replica: author, seq: clock[author] + 1)
            var dependencies = change.dependencies
            // What the original saw of the old id is the shared part; a later change of the new
            // id sees the re-issued ones through its own earlier seqs.
            dependencies[old] = min(change.id.replica == old ? .max : dependencies[old], first.id.seq - 1)
            let again = change.reissued(as: dot, dependencies: dependencies, renaming: &renamed)
            guard let previous = try SignatureRows.chain(of: Dot(replica: author, seq: dot.seq - 1), in: db) else {
                throw GlossStoreError(.notAGlossStore, "the chain hash of this replica's change \(dot.seq - 1) is missing")
            }
            try applyNew(again, chain: previous.extended(with: again), onto: ReplicaState(clock: clock), in: db)
            clock[author] = dot.seq
        }
        let recovery = try Recovery.read(db)!
        try recovery.with(reissued: recovery.reissued + forked.count).store(in: db)
    }

    /// Replaces the merged state with the one the log gives, replayed in arrival order.
    static func rebuildState(in db: Database) throws {
        var state = ReplicaState()
        for change in try ChangeRows.fetch(db) { _ = try state.apply(change) }
        for table in ["presence_mark", "tag_add", "register_value", "annotation", "article_revision", "article", "search", "search_key"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        try StateSumRow.write(StateDigest.Sum(), in: db)
        try EntityRows.save(Set(state.articles.keys).union(state.annotations.keys), from: state, replacing: ReplicaState(), in: db)
    }
}

extension Recovery {
    /// old id (16 bytes), then shared seq, re-issued count, target and compared (8 bytes each,
    /// big-endian).
    var stored: Data {
        func bigEndian(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        return Data(
            oldReplicaID.bytes + bigEndian(sharedUpTo) + bigEndian(UInt64(reissued)) + bigEndian(target) + bigEndian(compared))
    }

    static func read(_ db: Database) throws -> Recovery? {
        guard let data = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'recovery'"), data.count == 48 else { return nil }
        let bytes = Array(data)
        func number(at offset: Int) -> UInt64 { bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        return Recovery(
            oldReplicaID: ID128(bytes: bytes[0..<16])!, sharedUpTo: number(at: 16), reissued: Int(number(at: 24)),
            target: number(at: 32), compared: number(at: 40))
    }

    func store(in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('recovery', ?)", arguments: [stored])
    }

    func with(reissued: Int? = nil, compared: UInt64? = nil) -> Recovery {
        Recovery(
            oldReplicaID: oldReplicaID, sharedUpTo: sharedUpTo, reissued: reissued ?? self.reissued, target: target,
            compared: compared ?? self.compared)
    }
}
