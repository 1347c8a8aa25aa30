import Foundation
import GRDB
import GlossCore

/// Writes changes into the op log and reads them back as GlossCore values.
enum ChangeRows {
    /// Appends `change`, whose chain hash (SPEC §6.6) is `chain`, to the log.
    /// `ordinals` may be shared by every insert and save of one transaction, never longer.
    static func insert(_ change: Change, chain: ChainHash, ordinals: ReplicaOrdinals.Memo, in db: Database) throws {
        let author = try ordinals.ordinal(of: change.id.replica, in: db)
        for (replica, _) in change.dependencies.sortedEntries { _ = try ordinals.ordinal(of: replica, in: db) }
        let arrival = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(arrival) FROM change")) ?? 0) + 1
        try db.cachedStatement(sql: "INSERT INTO change (replica, seq, time, dependencies, arrival, chain) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [
                author, Int64(bitPattern: change.id.seq), Int64(bitPattern: change.time), change.dependencies.storedBlob, arrival,
                Data(chain.bytes),
            ])
        try db.cachedStatement(sql: "INSERT INTO clock (replica, seq) VALUES (?, ?) ON CONFLICT (replica) DO UPDATE SET seq = excluded.seq")
            .execute(arguments: [author, Int64(bitPattern: change.id.seq)])
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO operation (replica, seq, position, kind, entity, name, value, article, prefix, suffix, start, "end", revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (position, operation) in change.operations.enumerated() {
            let columns = OperationColumns(operation)
            try statement.execute(arguments: [
                author, Int64(bitPattern: change.id.seq), position, columns.kind, Data(operation.entity.bytes),
                columns.name, columns.value, columns.article.map { Data($0.bytes) }, columns.prefix, columns.suffix,
                columns.start.map { Int64(bitPattern: $0) }, columns.end.map { Int64(bitPattern: $0) },
                columns.revision.map { Data($0.bytes) },
            ])
        }
    }

    /// Changes matching `condition` (SQL over `change c`), in arrival order, which is causal.
    ///
    /// `layout` names the tables' shape: only migrations that run before v11 pass `.beforeRevisions`.
    static func fetch(
        _ db: Database, where condition: String = "1", arguments: StatementArguments = [], newestFirst: Bool = false,
        layout: Schema.Layout = .current
    ) throws -> [Change] {
        let replicas = try ReplicaOrdinals.all(in: db)
        let order = newestFirst ? "DESC" : "ASC"
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT c.replica AS author, c.seq AS changeSeq, c.time AS time, c.dependencies AS dependencies,
                           o.kind, o.entity, o.name, o.value, o.article, o.prefix, o.suffix, o.start, o."end", \(layout == .current ? "o.revision" : "NULL")
                    FROM change c JOIN operation o ON o.replica = c.replica AND o.seq = c.seq
                    WHERE \(condition)
                    ORDER BY c.arrival \(order), o.position
                    """), arguments: arguments)
        var changes: [Change] = []
        var current: (dot: Dot, dependencies: VersionVector, time: UInt64, operations: [Operation])?
        while let row = try rows.next() {
            let author: Int64 = row[0]
            let dot = Dot(replica: replicas[author]!, seq: UInt64(bitPattern: row[1]))
            if current?.dot != dot {
                if let current {
                    changes.append(
                        Change(id: current.dot, dependencies: current.dependencies, time: current.time, operations: current.operations))
                }
                let blob: Data = row[3]
                current = (dot, VersionVector(storedBlob: blob), UInt64(bitPattern: row[2]), [])
            }
            current!.operations.append(try OperationColumns.operation(from: row))
        }
        if let current {
            changes.append(Change(id: current.dot, dependencies: current.dependencies, time: current.time, operations: current.operations))
        }
        return changes
    }

    /// The changes that touched `entity` (or, for an article, annotated it), newest first.
    static func touching(_ entity: EntityID, in db: Database) throws -> [Change] {
        try fetch(
            db, where: "(c.replica, c.seq) IN (SELECT replica, seq FROM operation WHERE entity = ? OR article = ?)",
            arguments: [Data(entity.bytes), Data(entity.bytes)], newestFirst: true
        )
    }

    static func fetchOne(_ dot: Dot, in db: Database) throws -> Change? {
        guard let ordinal = try ReplicaOrdinals.existing(dot.replica, in: db) else { return nil }
        return try fetch(db, where: "c.replica = ? AND c.seq = ?", arguments: [ordinal, Int64(bitPattern: dot.seq)]).first
    }

    /// SQL over `change c` selecting the changes a peer holding `since` lacks, and the arrival
    /// they all come after (`arrivalBeforeFirstLacking`): a reader starts its scan of the
    /// arrival index there rather than at the first change.
    static func lacking(_ since: VersionVector, in db: Database) throws -> (condition: String, arguments: StatementArguments, after: Int64)
    {
        var cases: [String] = []
        var arguments: StatementArguments = []
        for (replica, seq) in since.sortedEntries {
            guard let ordinal = try ReplicaOrdinals.existing(replica, in: db) else { continue }
            cases.append("WHEN ? THEN ?")
            arguments += [ordinal, Int64(bitPattern: seq)]
        }
        let condition = cases.isEmpty ? "1" : "c.seq > CASE c.replica \(cases.joined(separator: " ")) ELSE 0 END"
        return (condition, arguments, try arrivalBeforeFirstLacking(since, in: db))
    }

    /// Every change a peer holding `since` lacks, in arrival (causal) order.
    static func fetchLacking(_ since: VersionVector, in db: Database) throws -> [Change] {
        let (condition, arguments, after) = try lacking(since, in: db)
        return try fetch(db, where: "c.arrival > ? AND \(condition)", arguments: [after] + arguments)
    }

    /// The arrival just before the first change a peer holding `since` lacks, or `Int64.max`
    /// when it lacks none. An author's changes arrive in seq order (each needs the one before),
    /// so this is the least arrival of each author's first change past `since`: one primary-key
    /// lookup an author, where a feed scanning from the start would walk every change the peer
    /// holds (200,000 index entries for an incremental round of the peer workload).
    private static func arrivalBeforeFirstLacking(_ since: VersionVector, in db: Database) throws -> Int64 {
        var first = Int64.max
        let statement = try db.cachedStatement(sql: "SELECT arrival FROM change WHERE replica = ? AND seq > ? ORDER BY seq LIMIT 1")
        for (ordinal, replica) in try ReplicaOrdinals.all(in: db) {
            if let arrival = try Int64.fetchOne(statement, arguments: [ordinal, Int64(bitPattern: since[replica])]) {
                first = min(first, arrival - 1)
            }
        }
        return first
    }

    /// The version vector: the highest sequence number held for each replica.
    static func clock(in db: Database) throws -> VersionVector {
        var clock = VersionVector()
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT r.id, k.seq FROM clock k JOIN replica r ON r.ordinal = k.replica"))
        while let row = try rows.next() {
            let bytes: Data = row[0]
            clock[ID128(bytes: bytes)!] = UInt64(bitPattern: row[1])
        }
        return clock
    }
}

/// An operation spread over the `operation` table's columns.
///
/// `add-revision`: entity the article, `revision` the revision's id, `name` the note, `value`
/// the text. `create-annotation`: `revision` the revision annotated, NULL for the first text.
struct OperationColumns {
    var kind: String
    var name: String?
    var value: String?
    var article: EntityID?
    var prefix: String?
    var suffix: String?
    var start: UInt64?
    var end: UInt64?
    var revision: EntityID?

    init(_ operation: Operation) {
        switch operation {
        case .createArticle(_, let body):
            kind = "create-article"
            value = body
        case .createAnnotation(_, let article, let anchor):
            kind = "create-annotation"
            self.article = article
            value = anchor.exact
            prefix = anchor.prefix
            suffix = anchor.suffix
            start = anchor.start
            end = anchor.end
            revision = anchor.revision
        case .addRevision(_, let revision, let note, let body):
            kind = "add-revision"
            self.revision = revision
            name = note
            value = body
        case .set(_, let field, let value):
            kind = "set"
            name = field.rawValue
            self.value = value
        case .addTag(_, let tag):
            kind = "add-tag"
            name = tag
        case .removeTag(_, let tag):
            kind = "remove-tag"
            name = tag
        case .deleteAnnotation:
            kind = "delete"
        case .keepAnnotation:
            kind = "keep"
        }
    }

    /// Reads the operation columns of a `fetch` row (kind at index 4, then entity, name, value,
    /// article, prefix, suffix, start, end, revision).
    static func operation(from row: Row) throws -> Operation {
        let entityBytes: Data = row[5]
        let entity = ID128(bytes: entityBytes)!
        let kind: String = row[4]
        switch kind {
        case "create-article":
            return .createArticle(id: entity, body: row[7])
        case "create-annotation":
            let articleBytes: Data = row[8]
            let anchor = Anchor(
                exact: row[7], prefix: row[9], suffix: row[10],
                start: UInt64(bitPattern: row[11]), end: UInt64(bitPattern: row[12]), revision: revision(row)
            )
            return .createAnnotation(id: entity, article: ID128(bytes: articleBytes)!, anchor: anchor)
        case "set":
            let name: String = row[6]
            guard let field = Field(rawValue: name) else { throw GlossStoreError(.notAGlossStore, "unknown field \(name) in the log") }
            return .set(entity: entity, field: field, value: row[7])
        case "add-tag":
            return .addTag(entity: entity, tag: row[6])
        case "remove-tag":
            return .removeTag(entity: entity, tag: row[6])
        case "delete":
            return .deleteAnnotation(id: entity)
        case "keep":
            return .keepAnnotation(id: entity)
        case "add-revision":
            guard let revision = revision(row) else { throw GlossStoreError(.notAGlossStore, "a revision without its id in the log") }
            return .addRevision(article: entity, revision: revision, note: row[6], body: row[7])
        default:
            throw GlossStoreError(.notAGlossStore, "unknown operation \(kind) in the log")
        }
    }

    private static func revision(_ row: Row) -> EntityID? {
        let bytes: Data? = row[13]
        return bytes.flatMap { ID128(bytes: $0) }
    }
}
