import Foundation
import GRDB
import GlossCore

/// Loads the merged state of articles and annotations from their tables, and writes it back.
///
/// Applying a change loads just the entities it touches into a `ReplicaState`, lets GlossCore
/// merge, and saves those entities again: the store has no merge rules of its own.
enum EntityRows {
    /// The articles and annotations with the given ids, or all of them when `ids` is nil.
    static func load(_ ids: Set<EntityID>?, in db: Database) throws -> (articles: [EntityID: ArticleState], annotations: [EntityID: AnnotationState]) {
        let replicas = try ReplicaTable.all(in: db)
        let (filter, arguments) = condition(ids)
        var registers: [EntityID: [Field: [RegisterValue]]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM register_value WHERE \(filter)", arguments: arguments) {
            let entity = id(row, "entity")
            let fieldName: String = row["field"]
            let value = RegisterValue(
                dot: dot(row, replicas), value: row["value"], time: UInt64(bitPattern: row["time"]),
                rank: UInt64(bitPattern: row["rank"])
            )
            registers[entity, default: [:]][Field(rawValue: fieldName)!, default: []].append(value)
        }
        var tags: [EntityID: [ExactText: Set<Dot>]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM tag_add WHERE \(filter)", arguments: arguments) {
            tags[id(row, "entity"), default: [:]][ExactText(row["tag"]), default: []].insert(dot(row, replicas))
        }
        var marks: [EntityID: [PresenceRegister.Entry]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM presence_mark WHERE \(filter)", arguments: arguments) {
            let mark: String = row["mark"]
            marks[id(row, "entity"), default: []].append(
                PresenceRegister.Entry(dot: dot(row, replicas), mark: PresenceRegister.Mark(rawValue: mark)!, time: UInt64(bitPattern: row["time"]))
            )
        }
        func registerMap(_ entity: EntityID) -> [Field: MultiValueRegister] {
            (registers[entity] ?? [:]).mapValues { MultiValueRegister(values: $0) }
        }
        let (idFilter, idArguments) = condition(ids, column: "id")
        var articles: [EntityID: ArticleState] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, body FROM article WHERE \(idFilter)", arguments: idArguments) {
            let articleID = id(row, "id")
            articles[articleID] = ArticleState(
                id: articleID, body: row["body"], registers: registerMap(articleID), tags: AddWinsSet(adds: tags[articleID] ?? [:])
            )
        }
        var annotations: [EntityID: AnnotationState] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM annotation WHERE \(idFilter)", arguments: idArguments) {
            let annotationID = id(row, "id")
            let anchor = Anchor(
                exact: row["exact"], prefix: row["prefix"], suffix: row["suffix"],
                start: UInt64(bitPattern: row["start"]), end: UInt64(bitPattern: row["end"])
            )
            annotations[annotationID] = AnnotationState(
                id: annotationID, article: id(row, "article"), anchor: anchor, registers: registerMap(annotationID),
                tags: AddWinsSet(adds: tags[annotationID] ?? [:]), presence: PresenceRegister(entries: marks[annotationID] ?? [])
            )
        }
        return (articles, annotations)
    }

    /// Calls `body` with the entities of `table` ("article" or "annotation") a page at a time, in
    /// ascending id order, and the page's ids in that order.
    static func forEachPage(
        of table: String, size: Int, in db: Database,
        _ body: ((articles: [EntityID: ArticleState], annotations: [EntityID: AnnotationState]), [EntityID]) throws -> Void
    ) throws {
        var after = Data()
        while true {
            let ids = try Data.fetchAll(db, sql: "SELECT id FROM \(table) WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, size])
            guard let last = ids.last else { return }
            let entityIDs = ids.map { ID128(bytes: $0)! }
            try body(try load(Set(entityIDs), in: db), entityIDs)
            after = last
        }
    }

    /// Replaces the stored state of each entity in `ids` with its state in `state`.
    static func save(_ ids: Set<EntityID>, from state: ReplicaState, in db: Database) throws {
        for entity in ids.sorted() {
            let key = Data(entity.bytes)
            for table in ["register_value", "tag_add", "presence_mark"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE entity = ?", arguments: [key])
            }
            if let article = state.articles[entity] {
                try db.execute(sql: "INSERT OR IGNORE INTO article (id, body) VALUES (?, ?)", arguments: [key, article.body])
                try saveRegisters(article.registers, tags: article.tags, of: key, in: db)
            } else if let annotation = state.annotations[entity] {
                let anchor = annotation.anchor
                try db.execute(sql: """
                    INSERT INTO annotation (id, article, exact, prefix, suffix, start, "end", alive) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET alive = excluded.alive
                    """, arguments: [
                        key, Data(annotation.article.bytes), anchor.exact, anchor.prefix, anchor.suffix,
                        Int64(bitPattern: anchor.start), Int64(bitPattern: anchor.end), annotation.presence.isAlive,
                    ])
                try saveRegisters(annotation.registers, tags: annotation.tags, of: key, in: db)
                for entry in annotation.presence.entries {
                    try db.execute(
                        sql: "INSERT INTO presence_mark (entity, replica, seq, mark, time) VALUES (?, ?, ?, ?, ?)",
                        arguments: [key, try ReplicaTable.ordinal(of: entry.dot.replica, in: db), Int64(bitPattern: entry.dot.seq),
                                    entry.mark.rawValue, Int64(bitPattern: entry.time)]
                    )
                }
            }
        }
    }

    private static func saveRegisters(_ registers: [Field: MultiValueRegister], tags: AddWinsSet, of key: Data, in db: Database) throws {
        for (field, register) in registers {
            for value in register.values {
                try db.execute(
                    sql: "INSERT INTO register_value (entity, field, replica, seq, time, rank, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [key, field.rawValue, try ReplicaTable.ordinal(of: value.dot.replica, in: db), Int64(bitPattern: value.dot.seq),
                                Int64(bitPattern: value.time), Int64(bitPattern: value.rank), value.value]
                )
            }
        }
        for (tag, dots) in tags.adds {
            for dot in dots {
                try db.execute(
                    sql: "INSERT INTO tag_add (entity, tag, replica, seq) VALUES (?, ?, ?, ?)",
                    arguments: [key, tag.string, try ReplicaTable.ordinal(of: dot.replica, in: db), Int64(bitPattern: dot.seq)]
                )
            }
        }
    }

    private static func condition(_ ids: Set<EntityID>?, column: String = "entity") -> (String, StatementArguments) {
        guard let ids else { return ("1", []) }
        guard !ids.isEmpty else { return ("0", []) }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return ("\(column) IN (\(placeholders))", StatementArguments(ids.sorted().map { Data($0.bytes) }))
    }

    private static func id(_ row: Row, _ column: String) -> EntityID {
        let bytes: Data = row[column]
        return ID128(bytes: bytes)!
    }

    private static func dot(_ row: Row, _ replicas: [Int64: ReplicaID]) -> Dot {
        let ordinal: Int64 = row["replica"]
        return Dot(replica: replicas[ordinal]!, seq: UInt64(bitPattern: row["seq"]))
    }
}
