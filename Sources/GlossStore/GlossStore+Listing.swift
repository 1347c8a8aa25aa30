import Foundation
import GRDB
import GlossCore

/// What the whole-store commands (`status`, `articles`, `annotations`, `conflicts`) need, read
/// by query, so that they load only the entities they show: at 100,000 annotations the whole
/// state takes seconds and hundreds of MB, one article or one page of annotations milliseconds.
extension GlossStore {
    /// How many articles, and how many annotations that are not deleted.
    public func counts() throws(GlossStoreError) -> (articles: Int, liveAnnotations: Int) {
        try access {
            try database.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM article") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM annotation WHERE alive = 1") ?? 0
                )
            }
        }
    }

    /// The entities with a field in conflict, as `ReplicaState.conflicts` finds them: a field
    /// with different live values (of an article, or an annotation not deleted), or a live
    /// annotation whose delete is contested.
    public func conflictedEntities() throws(GlossStoreError) -> Set<EntityID> {
        try access {
            try database.read { db in
                Set(
                    try Data.fetchAll(
                        db,
                        sql: """
                            SELECT v.entity FROM register_value v LEFT JOIN annotation a ON a.id = v.entity
                            WHERE a.id IS NULL OR a.alive = 1
                            GROUP BY v.entity, v.field HAVING count(DISTINCT CAST(v.value AS BLOB)) > 1
                            UNION
                            SELECT a.id FROM annotation a WHERE a.alive = 1
                            AND EXISTS (SELECT 1 FROM presence_mark m WHERE m.entity = a.id AND m.mark = 'deleted')
                            """
                    ).map { ID128(bytes: $0)! })
            }
        }
    }

    /// Every article's id (with `tag`, those carrying it), and how many live annotations each has.
    public func articleIDs(tag: String? = nil) throws(GlossStoreError) -> (ids: [EntityID], liveAnnotations: [EntityID: Int]) {
        try access {
            try database.read { db in
                let ids = try Data.fetchAll(
                    db,
                    sql: tag == nil
                        ? "SELECT id FROM article"
                        : "SELECT id FROM article WHERE id IN (SELECT entity FROM tag_add WHERE tag = ?)",
                    arguments: tag.map { [$0] } ?? []
                ).map { ID128(bytes: $0)! }
                var counts: [EntityID: Int] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT article, count(*) FROM annotation WHERE alive = 1 GROUP BY article")
                while let row = try rows.next() { counts[ID128(bytes: row[0] as Data)!] = row[1] }
                return (ids, counts)
            }
        }
    }

    /// The ids of the annotations that are not deleted (of `article`, with `tag`, or all), in
    /// reading order: by article, then where they start and end.
    public func liveAnnotationIDs(of article: EntityID? = nil, tag: String? = nil) throws(GlossStoreError) -> [EntityID] {
        var conditions = ["alive = 1"]
        var arguments: StatementArguments = []
        if let article {
            conditions.append("article = ?")
            arguments += [Data(article.bytes)]
        }
        if let tag {
            conditions.append("id IN (SELECT entity FROM tag_add WHERE tag = ?)")
            arguments += [tag]
        }
        let sql = "SELECT id FROM annotation WHERE \(conditions.joined(separator: " AND ")) ORDER BY article, start, \"end\", id"
        return try access {
            try database.read { db in try Data.fetchAll(db, sql: sql, arguments: arguments).map { ID128(bytes: $0)! } }
        }
    }
}
