import Foundation
import GRDB
import GlossCore

/// Replica ids are stored once, in `replica`; other tables name a replica by its ordinal.
enum ReplicaOrdinals {
    /// The replica's ordinal, adding the replica if this store has not heard of it.
    static func ordinal(of replica: ReplicaID, in db: Database) throws -> Int64 {
        if let ordinal = try existing(replica, in: db) { return ordinal }
        try db.cachedStatement(sql: "INSERT INTO replica (id) VALUES (?)").execute(arguments: [Data(replica.bytes)])
        return db.lastInsertedRowID
    }

    /// The replica's ordinal, or nil if this store has not heard of it.
    static func existing(_ replica: ReplicaID, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT ordinal FROM replica WHERE id = ?"), arguments: [Data(replica.bytes)])
    }

    /// Every replica this store has heard of, by ordinal.
    static func all(in db: Database) throws -> [Int64: ReplicaID] {
        var replicas: [Int64: ReplicaID] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT ordinal, id FROM replica"))
        while let row = try rows.next() {
            let bytes: Data = row[1]
            replicas[row[0]] = ID128(bytes: bytes)
        }
        return replicas
    }

    /// The ordinals one transaction has looked up: a batch's thousands of rows name the same few
    /// replicas, and each lookup was a statement (a twelfth of a sync round's apply). It lives
    /// no longer than the transaction that made it, since a replica it added goes if that
    /// transaction rolls back.
    final class Memo {
        private var known: [ReplicaID: Int64] = [:]

        /// The replica's ordinal, adding the replica if this store has not heard of it.
        func ordinal(of replica: ReplicaID, in db: Database) throws -> Int64 {
            if let ordinal = known[replica] { return ordinal }
            let ordinal = try ReplicaOrdinals.ordinal(of: replica, in: db)
            known[replica] = ordinal
            return ordinal
        }
    }
}
