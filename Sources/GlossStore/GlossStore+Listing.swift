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

    /// The entities with a field in conflict, as `ReplicaState.conflicts` finds them: by the
    /// partial indexes of the counts `EntityRows.save` keeps with each entity.
    public func conflictedEntities() throws(GlossStoreError) -> Set<EntityID> {
        try access {
            try database.read { db in
                Set(
                    try Data.fetchAll(
                        db,
                        sql: "SELECT id FROM article WHERE conflicts > 0 UNION ALL SELECT id FROM annotation WHERE conflicts > 0"
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

    /// The articles that hold a later revision than their first text: only their annotations
    /// (and those placed by hand) can be shown anywhere but where they were made.
    public func revisedArticleIDs() throws(GlossStoreError) -> Set<EntityID> {
        try access {
            try database.read { db in
                Set(try Data.fetchAll(db, sql: "SELECT DISTINCT article FROM article_revision").map { ID128(bytes: $0)! })
            }
        }
    }

    /// The articles archived now (`ArticleState.isArchived`: the provisional winner of
    /// `archived` is not empty), by the partial index of that field's values.
    public func archivedArticleIDs() throws(GlossStoreError) -> Set<EntityID> {
        try access {
            try database.read { db in
                var winners: [EntityID: (rank: UInt64, replica: ReplicaID, archived: Bool)] = [:]
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT v.entity, v.rank, r.id, v.value != '' FROM register_value v JOIN replica r ON r.ordinal = v.replica
                        WHERE v.field = 'archived'
                        """)
                while let row = try rows.next() {
                    let entity = ID128(bytes: row[0] as Data)!
                    let (rank, replica) = (UInt64(bitPattern: row[1] as Int64), ID128(bytes: row[2] as Data)!)
                    let value = (rank: rank, replica: replica, archived: row[3] as Bool)
                    // MultiValueRegister.winner's order: highest rank, then highest replica id.
                    if let held = winners[entity], (held.rank, held.replica) > (value.rank, value.replica) { continue }
                    winners[entity] = value
                }
                return Set(winners.filter(\.value.archived).keys)
            }
        }
    }

    /// The ids of the annotations that are not deleted (or, with `deleted`, those that are) of
    /// `article`, with `tag`, or all, in reading order: by article, then where they start and end
    /// as made (on a revised article, the revisions they were made on may differ).
    public func liveAnnotationIDs(of article: EntityID? = nil, tag: String? = nil, deleted: Bool = false) throws(GlossStoreError)
        -> [EntityID]
    {
        try annotationIDs(of: article, tag: tag, deleted: deleted, hiding: []).ids
    }

    /// As `liveAnnotationIDs`, over every article, leaving out the annotations of the articles
    /// in `hidden` (the archived ones, for a list): the ids, and how many were left out.
    public func liveAnnotationIDs(tag: String? = nil, deleted: Bool = false, hiding hidden: Set<EntityID>) throws(GlossStoreError)
        -> (ids: [EntityID], hidden: Int)
    {
        try annotationIDs(of: nil, tag: tag, deleted: deleted, hiding: hidden)
    }

    private func annotationIDs(of article: EntityID?, tag: String?, deleted: Bool, hiding hidden: Set<EntityID>) throws(GlossStoreError)
        -> (ids: [EntityID], hidden: Int)
    {
        var conditions = [deleted ? "alive = 0" : "alive = 1"]
        var arguments: StatementArguments = []
        if let article {
            conditions.append("article = ?")
            arguments += [Data(article.bytes)]
        }
        if let tag {
            conditions.append("id IN (SELECT entity FROM tag_add WHERE tag = ?)")
            arguments += [tag]
        }
        let sql = "SELECT id, article FROM annotation WHERE \(conditions.joined(separator: " AND ")) ORDER BY article, start, \"end\", id"
        return try access {
            try database.read { db in
                // Filtered here rather than in SQL: any number of hidden articles, no statement limit.
                var (ids, left) = ([EntityID](), 0)
                let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
                while let row = try rows.next() {
                    if !hidden.isEmpty, hidden.contains(ID128(bytes: row[1] as Data)!) {
                        left += 1
                    } else {
                        ids.append(ID128(bytes: row[0] as Data)!)
                    }
                }
                return (ids, left)
            }
        }
    }
}
