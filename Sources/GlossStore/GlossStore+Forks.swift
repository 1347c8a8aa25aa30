import Foundation
import GRDB
import GlossCore

/// An author proven to have forked its history (SPEC §6.7).
public struct ForkRecord: Hashable, Sendable {
    public let author: ReplicaID
    /// Its changes from here on are refused.
    public let seq: UInt64
    /// The proof, as it travels in HELLO (`ForkEvidence.encoded`).
    public let evidence: [UInt8]
    /// Wall-clock milliseconds when this replica learned it.
    public let recorded: UInt64
}

extension GlossStore {
    /// Keeps a proof that an author forked, after checking it: the first proof of each author is
    /// kept. Returns true when the author was not known to have forked.
    @discardableResult
    public func recordFork(_ evidence: ForkEvidence, time: UInt64) throws(GlossStoreError) -> Bool {
        do {
            try evidence.verify(store: identity.storeID)
        } catch {
            throw GlossStoreError(refusing: error)
        }
        return try access {
            try database.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO fork (author, seq, evidence, recorded) VALUES (?, ?, ?, ?)",
                    arguments: [
                        Data(evidence.author.bytes), Int64(bitPattern: evidence.seq), Data(evidence.encoded), Int64(bitPattern: time),
                    ])
                return db.changesCount > 0
            }
        }
    }

    /// Every author known to have forked, oldest record first.
    public func forks() throws(GlossStoreError) -> [ForkRecord] {
        try access { try database.read { db in try Self.forks(in: db) } }
    }

    static func forks(in db: Database) throws -> [ForkRecord] {
        // Cached: every local commit asks (the table is nearly always empty).
        try Row.fetchAll(db.cachedStatement(sql: "SELECT author, seq, evidence, recorded FROM fork ORDER BY recorded, author")).map { row in
            let author: Data = row[0]
            let evidence: Data = row[2]
            return ForkRecord(
                author: ID128(bytes: author)!, seq: UInt64(bitPattern: row[1]), evidence: Array(evidence),
                recorded: UInt64(bitPattern: row[3]))
        }
    }

    /// The proof that `author` forked, from a peer's signed head at `seq` that differs from the
    /// history held here: the peer's head against the held history from `seq` to the last
    /// change held, which carries a signature here. Nil when no such signature is held (a
    /// history received before Gloss signed changes).
    public func forkEvidence(of author: ReplicaID, at seq: UInt64, peerHead: SignedHead) throws(GlossStoreError) -> ForkEvidence? {
        try access {
            try database.read { db in
                guard let held = try Self.signedHistory(of: author, from: seq, in: db) else { return nil }
                let peer = SignedHistory(base: seq, baseChain: peerHead.chain, changes: [], signature: peerHead.signature)
                return ForkEvidence(key: held.key, seq: seq, first: held.history, second: peer)
            }
        }
    }

    /// The author's history held here from change `base` to the last held, with the signature of
    /// the last, and its key.
    static func signedHistory(of author: ReplicaID, from base: UInt64, in db: Database) throws -> (key: AuthorKey, history: SignedHistory)?
    {
        guard let ordinal = try ReplicaOrdinals.existing(author, in: db),
            let keyBytes = try Data.fetchOne(db, sql: "SELECT key FROM replica WHERE ordinal = ?", arguments: [ordinal]),
            let key = AuthorKey(bytes: keyBytes),
            let last = try Int64.fetchOne(db, sql: "SELECT seq FROM clock WHERE replica = ?", arguments: [ordinal]),
            let signature = try Data.fetchOne(
                db, sql: "SELECT signature FROM checkpoint WHERE replica = ? AND seq = ?", arguments: [ordinal, last]),
            let baseChain = try SignatureRows.chain(ordinal: ordinal, seq: base, in: db)
        else { return nil }
        let changes = try ChangeRows.fetch(
            db, where: "c.replica = ? AND c.seq > ?", arguments: [ordinal, Int64(bitPattern: base)]
        ).sorted { $0.id.seq < $1.id.seq }
        return (key, SignedHistory(base: base, baseChain: baseChain, changes: changes, signature: Array(signature)))
    }

    /// The fork `apply` found in a batch: the batch's run of `author` from its base, against the
    /// history held here from the same base.
    static func forkEvidence(in batch: SignedBatch, of author: ReplicaID, at seq: UInt64, in db: Database) throws -> ForkEvidence? {
        guard let run = batch.runs.first(where: { $0.author == author }), let signature = run.checkpoints.last?.signature else {
            return nil
        }
        let changes = batch.changes.filter { $0.id.replica == author }.sorted { $0.id.seq < $1.id.seq }
        guard let first = changes.first, run.checkpoints.last?.seq == changes.last?.id.seq,
            let held = try signedHistory(of: author, from: first.id.seq - 1, in: db)
        else { return nil }
        let theirs = SignedHistory(base: first.id.seq - 1, baseChain: run.base, changes: changes, signature: signature)
        return ForkEvidence(key: run.key, seq: seq, first: held.history, second: theirs)
    }

    /// The changes of `batch` this store sets aside because of a proven fork (SPEC §6.7): the
    /// forked author's changes from the fork on, every change that saw one of them, and every
    /// change after a set-aside one of its own author. They are neither applied nor refused:
    /// the rest of the batch is applied, so one forked device does not stop everyone's notes.
    static func setAside(in batch: SignedBatch, in db: Database) throws -> Set<Dot> {
        let forks = Dictionary(try Self.forks(in: db).map { ($0.author, max($0.seq, 1)) }) { first, _ in first }
        guard !forks.isEmpty else { return [] }
        var aside: Set<Dot> = []
        var firstAside: [ReplicaID: UInt64] = [:]
        func sawForked(_ change: Change) -> Bool {
            if let fork = forks[change.id.replica], change.id.seq >= fork { return true }
            if let first = firstAside[change.id.replica], change.id.seq > first { return true }
            for (replica, seq) in change.dependencies.entries {
                if let fork = forks[replica], seq >= fork { return true }
                if let first = firstAside[replica], seq >= first { return true }
            }
            return false
        }
        var grew = true
        while grew {  // at most one pass per change set aside, and the batch is finite
            grew = false
            for change in batch.changes where !aside.contains(change.id) && sawForked(change) {
                aside.insert(change.id)
                firstAside[change.id.replica] = min(firstAside[change.id.replica] ?? .max, change.id.seq)
                grew = true
            }
        }
        return aside
    }
}
