import Foundation
import GRDB
import GlossCore

/// Who made an entity and when, and when it last changed: the first and the last change held
/// whose operations name it (the ends of what `gloss log ID` lists, the article's annotations
/// aside). Times are the changes' own, in milliseconds since 1970, as their authors' clocks
/// said.
public struct Provenance: Hashable, Sendable {
    public let createdBy: ReplicaID
    public let created: UInt64
    public let modifiedBy: ReplicaID
    public let modified: UInt64
}

extension GlossStore {
    /// The provenance of each of `ids` held (an id with no change is left out), in one
    /// snapshot. Two index lookups an entity.
    public func provenance(of ids: [EntityID]) throws(GlossStoreError) -> [EntityID: Provenance] {
        try access {
            try database.read { db in
                let replicas = try ReplicaOrdinals.all(in: db)
                func end(_ entity: EntityID, newest: Bool) throws -> (ReplicaID, UInt64)? {
                    let statement = try db.cachedStatement(
                        sql: """
                            SELECT c.replica, c.time FROM operation o JOIN change c ON c.replica = o.replica AND c.seq = o.seq
                            WHERE o.entity = ? ORDER BY c.arrival \(newest ? "DESC" : "ASC") LIMIT 1
                            """)
                    guard let row = try Row.fetchOne(statement, arguments: [Data(entity.bytes)]) else { return nil }
                    let ordinal: Int64 = row[0]
                    return (replicas[ordinal]!, UInt64(bitPattern: row[1]))
                }
                var found: [EntityID: Provenance] = [:]
                for id in ids {
                    guard let first = try end(id, newest: false), let last = try end(id, newest: true) else { continue }
                    found[id] = Provenance(createdBy: first.0, created: first.1, modifiedBy: last.0, modified: last.1)
                }
                return found
            }
        }
    }
}
