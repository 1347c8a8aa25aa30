import Foundation
import GRDB
import GlossCore

/// The one row that keeps `StateDigest.Sum` of the stored state: the entity counts and the sum
/// of their elements. `EntityRows.save` updates it in the transaction that changes an entity, so
/// the state digest (SPEC §8) costs one row to read, whatever the size of the store.
enum StateSumRow {
    /// (A cached statement: every save reads the row, and preparing it each time was 4 % of a
    /// local change, by profile.)
    static func read(in db: Database) throws -> StateDigest.Sum {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT articles, annotations, total FROM state_sum")),
            let sum = StateDigest.Sum(articles: row[0], annotations: row[1], total: [UInt8](row[2] as Data))
        else { throw GlossStoreError(.notAGlossStore, "the store lacks its state digest row") }
        return sum
    }

    static func write(_ sum: StateDigest.Sum, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE state_sum SET articles = ?, annotations = ?, total = ?")
            .execute(arguments: [sum.articles, sum.annotations, Data(sum.total)])
    }

    /// The sum of the hashes stored beside each entity row, added up from every row: what
    /// the kept row must equal (`verify`), and how a store gets its row (schema v10).
    static func recomputed(in db: Database) throws -> StateDigest.Sum {
        var sum = StateDigest.Sum()
        for (table, kind) in [("article", EntityKind.article), ("annotation", .annotation)] {
            let rows = try Row.fetchCursor(db, sql: "SELECT id, hash FROM \(table)")
            while let row = try rows.next() {
                let added = try row.withUnsafeData(atIndex: 0) { id in
                    try row.withUnsafeData(atIndex: 1) { hash in
                        guard let id, let hash else { return false }
                        return id.withUnsafeBytes { id in hash.withUnsafeBytes { sum.add(kind, storedID: id, hash: $0) } }
                    }
                }
                guard added else {
                    let id = (row[0] as Data?).flatMap { ID128(bytes: $0) }?.hex ?? "?"
                    throw GlossStoreError(.notAGlossStore, "the store lacks a valid hash of \(table) \(id)")
                }
            }
        }
        return sum
    }
}
