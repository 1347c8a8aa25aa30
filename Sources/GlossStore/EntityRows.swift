import Foundation
import GRDB
import GlossCore

/// Loads the merged state of articles and annotations from their tables, and writes it back.
///
/// Applying changes loads just the entities they touch into a `ReplicaState` (a chunk of a
/// batch at a time), lets GlossCore merge, and saves those entities again: the store has no
/// merge rules of its own.
enum EntityRows {
    /// The articles and annotations with the given ids, or all of them when `ids` is nil.
    /// (Statements are cached and columns read by position: this runs for every local commit
    /// and every chunk of a batch applied.)
    static func load(_ ids: Set<EntityID>?, in db: Database, layout: Schema.Layout = .current) throws -> (
        articles: [EntityID: ArticleState], annotations: [EntityID: AnnotationState]
    ) {
        // SQLite takes at most 32,766 parameters in a statement: many ids go in slices.
        if let ids, ids.count > loadSlice {
            var (articles, annotations) = ([EntityID: ArticleState](), [EntityID: AnnotationState]())
            let sorted = ids.sorted()
            for start in stride(from: 0, to: sorted.count, by: loadSlice) {
                let slice = try load(Set(sorted[start..<min(sorted.count, start + loadSlice)]), in: db, layout: layout)
                articles.merge(slice.articles) { $1 }
                annotations.merge(slice.annotations) { $1 }
            }
            return (articles, annotations)
        }
        let replicas = try ReplicaOrdinals.all(in: db)
        let (filter, arguments) = condition(ids)
        // A statement names each id, so its text differs with their count: only the short ones
        // (a local commit's) are worth caching. Cached, every count a chunked apply met stayed
        // prepared for the connection's life: the cloning side peaked at 61 MB instead of 46 at
        // a tenth of the peer workload, and at 137 MB at its full size.
        let cached = (ids?.count ?? 0) <= 4
        func rows(_ sql: String, _ arguments: StatementArguments) throws -> RowCursor {
            try Row.fetchCursor(cached ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql), arguments: arguments)
        }
        var registers: [EntityID: [Field: [RegisterValue]]] = [:]
        let registerRows = try rows("SELECT entity, field, replica, seq, time, rank, value FROM register_value WHERE \(filter)", arguments)
        while let row = try registerRows.next() {
            let fieldName: String = row[1]
            let value = RegisterValue(
                dot: dot(row, at: 2, replicas), value: row[6], time: UInt64(bitPattern: row[4]), rank: UInt64(bitPattern: row[5])
            )
            registers[id(row, at: 0), default: [:]][Field(rawValue: fieldName)!, default: []].append(value)
        }
        var tags: [EntityID: [ExactText: Set<Dot>]] = [:]
        let tagRows = try rows("SELECT entity, tag, replica, seq FROM tag_add WHERE \(filter)", arguments)
        while let row = try tagRows.next() {
            tags[id(row, at: 0), default: [:]][ExactText(row[1]), default: []].insert(dot(row, at: 2, replicas))
        }
        var marks: [EntityID: [PresenceRegister.Entry]] = [:]
        let markRows = try rows("SELECT entity, replica, seq, mark, time FROM presence_mark WHERE \(filter)", arguments)
        while let row = try markRows.next() {
            let mark: String = row[3]
            marks[id(row, at: 0), default: []].append(
                PresenceRegister.Entry(
                    dot: dot(row, at: 1, replicas), mark: PresenceRegister.Mark(rawValue: mark)!, time: UInt64(bitPattern: row[4]))
            )
        }
        func registerMap(_ entity: EntityID) -> [Field: MultiValueRegister] {
            (registers[entity] ?? [:]).mapValues { MultiValueRegister(values: $0) }
        }
        let (idFilter, idArguments) = condition(ids, column: "id")
        var articles: [EntityID: ArticleState] = [:]
        let articleRows = try rows("SELECT id, body FROM article WHERE \(idFilter)", idArguments)
        while let row = try articleRows.next() {
            let articleID = id(row, at: 0)
            articles[articleID] = ArticleState(
                id: articleID, body: row[1], registers: registerMap(articleID), tags: AddWinsSet(adds: tags[articleID] ?? [:]))
        }
        // Revisions of the articles found only: most loads (an annotation edited) name none.
        if layout == .current, !articles.isEmpty {
            let (articleFilter, articleArguments) = condition(ids == nil ? nil : Set(articles.keys), column: "article")
            let revisionRows = try rows(
                "SELECT article, revision, body, note, replica, seq, time, rank FROM article_revision WHERE \(articleFilter)",
                articleArguments)
            while let row = try revisionRows.next() {
                articles[id(row, at: 0)]?.revisions[id(row, at: 1)] = ArticleRevision(
                    body: row[2], note: row[3], dot: dot(row, at: 4, replicas), time: UInt64(bitPattern: row[6]),
                    rank: UInt64(bitPattern: row[7]))
            }
        }
        var annotations: [EntityID: AnnotationState] = [:]
        let annotationRows = try rows(
            "SELECT id, article, exact, prefix, suffix, start, \"end\", \(layout == .current ? "revision" : "NULL") FROM annotation WHERE \(idFilter)",
            idArguments)
        while let row = try annotationRows.next() {
            let annotationID = id(row, at: 0)
            let anchor = Anchor(
                exact: row[2], prefix: row[3], suffix: row[4], start: UInt64(bitPattern: row[5]), end: UInt64(bitPattern: row[6]),
                revision: (row[7] as Data?).flatMap { ID128(bytes: $0) })
            annotations[annotationID] = AnnotationState(
                id: annotationID, article: id(row, at: 1), anchor: anchor, registers: registerMap(annotationID),
                tags: AddWinsSet(adds: tags[annotationID] ?? [:]), presence: PresenceRegister(entries: marks[annotationID] ?? [])
            )
        }
        return (articles, annotations)
    }

    /// How many ids one `load` statement names.
    static let loadSlice = 2_000

    /// Calls `body` with the entities of `table` ("article" or "annotation") a page at a time, in
    /// ascending id order, and the page's ids in that order.
    static func forEachPage(
        of table: String, size: Int, in db: Database, layout: Schema.Layout = .current,
        _ body: ((articles: [EntityID: ArticleState], annotations: [EntityID: AnnotationState]), [EntityID]) throws -> Void
    ) throws {
        var after = Data()
        while true {
            let ids = try Data.fetchAll(db, sql: "SELECT id FROM \(table) WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, size])
            guard let last = ids.last else { return }
            let entityIDs = ids.map { ID128(bytes: $0)! }
            try body(try load(Set(entityIDs), in: db, layout: layout), entityIDs)
            after = last
        }
    }

    /// Writes the `StateDigest.hash` of each of `ids` found in `entities` beside its row.
    static func storeHashes(
        of ids: Set<EntityID>, in entities: (articles: [EntityID: ArticleState], annotations: [EntityID: AnnotationState]), db: Database
    ) throws {
        for id in ids {
            if let article = entities.articles[id] {
                try db.cachedStatement(sql: "UPDATE article SET hash = ? WHERE id = ?")
                    .execute(arguments: [Data(StateDigest.hash(of: article)), Data(id.bytes)])
            } else if let annotation = entities.annotations[id] {
                try db.cachedStatement(sql: "UPDATE annotation SET hash = ? WHERE id = ?")
                    .execute(arguments: [Data(StateDigest.hash(of: annotation)), Data(id.bytes)])
            }
        }
    }

    /// Replaces the stored state of each entity in `ids` with its state in `state`, and keeps
    /// the state digest's sum (`StateSumRow`) in step: each entity's old hash out, its new in.
    ///
    /// `stored` is what the rows hold now of `ids` (as loaded before merging), and an entity of
    /// `ids` it lacks has no rows at all. Only the fields, tags and presence marks that differ
    /// from it are rewritten, so a note edited leaves the presence marks' and the
    /// live-annotation index's pages alone. Each page left clean is one write fewer in the WAL
    /// and one fewer in the checkpoint, a thousand times over for a batch of random annotations.
    /// A new entity is inserted without first looking for rows it cannot have (its old hash,
    /// register values, tags, marks and search row): a clone is nearly all new entities. Should
    /// a caller break the promise, the insert fails on the primary key and the transaction with it.
    ///
    /// `ordinals` may be shared by every insert and save of one transaction, never longer.
    static func save(
        _ ids: Set<EntityID>, from state: ReplicaState, replacing stored: ReplicaState,
        ordinals: ReplicaOrdinals.Memo = ReplicaOrdinals.Memo(), in db: Database
    ) throws {
        // Articles first: an annotation row refers to its article's row, and one change may
        // create both (whatever order their ids sort in).
        let articlesFirst = ids.filter { state.articles[$0] != nil }.sorted() + ids.filter { state.articles[$0] == nil }.sorted()
        guard !articlesFirst.isEmpty else { return }
        var sum = try StateSumRow.read(in: db)
        for entity in articlesFirst {
            // An article a new annotation quotes is touched, not changed: nothing to write.
            if let old = stored.articles[entity], old == state.articles[entity] { continue }
            if let old = stored.annotations[entity], old == state.annotations[entity] { continue }
            let key = Data(entity.bytes)
            let isNew = stored.articles[entity] == nil && stored.annotations[entity] == nil
            let hash = try replaceHash(of: entity, in: state, summedIn: &sum, isNew: isNew, db: db)
            if let article = state.articles[entity] {
                let old = stored.articles[entity]
                if let old {
                    try updateRow("article", key: key, hash: hash, conflicts: (old.conflicts.count, article.conflicts.count), in: db)
                } else {
                    try db.cachedStatement(sql: "INSERT INTO article (id, body, hash, conflicts) VALUES (?, ?, ?, ?)")
                        .execute(arguments: [key, article.body, Data(hash), article.conflicts.count])
                }
                try saveRegisters(
                    article.registers, tags: article.tags, replacing: (old?.registers ?? [:], old?.tags ?? AddWinsSet()), of: key,
                    ordinals: ordinals, in: db)
                try saveRevisions(article.revisions, replacing: old?.revisions ?? [:], of: key, ordinals: ordinals, in: db)
            } else if let annotation = state.annotations[entity] {
                let old = stored.annotations[entity]
                if let old {
                    try updateRow(
                        "annotation", key: key, hash: hash, conflicts: (old.conflicts.count, annotation.conflicts.count),
                        alive: (old.presence.isAlive, annotation.presence.isAlive), in: db)
                } else {
                    let anchor = annotation.anchor
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO annotation (id, article, exact, prefix, suffix, start, "end", alive, hash, conflicts, revision)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [
                        key, Data(annotation.article.bytes), anchor.exact, anchor.prefix, anchor.suffix,
                        Int64(bitPattern: anchor.start), Int64(bitPattern: anchor.end), annotation.presence.isAlive,
                        Data(hash), annotation.conflicts.count, anchor.revision.map { Data($0.bytes) },
                    ])
                }
                try saveRegisters(
                    annotation.registers, tags: annotation.tags, replacing: (old?.registers ?? [:], old?.tags ?? AddWinsSet()), of: key,
                    ordinals: ordinals, in: db)
                try savePresence(annotation.presence, replacing: old?.presence, of: key, ordinals: ordinals, in: db)
            }
            try SearchRows.index(entity, from: state, replacing: stored, isNew: isNew, in: db)
        }
        try StateSumRow.write(sum, in: db)
    }

    /// Updates a stored entity's row: its hash always, and the conflict count and liveness only
    /// when they changed (each is in an index that would otherwise be rewritten).
    private static func updateRow(
        _ table: String, key: Data, hash: [UInt8], conflicts: (old: Int, new: Int), alive: (old: Bool, new: Bool)? = nil, in db: Database
    ) throws {
        var assignments = ["hash = ?"]
        var arguments: StatementArguments = [Data(hash)]
        if conflicts.old != conflicts.new {
            assignments.append("conflicts = ?")
            arguments += [conflicts.new]
        }
        if let alive, alive.old != alive.new {
            assignments.append("alive = ?")
            arguments += [alive.new]
        }
        arguments += [key]
        try db.cachedStatement(sql: "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE id = ?").execute(arguments: arguments)
    }

    /// The entity's new `StateDigest.hash`, after moving `sum` from the hash its row holds
    /// (unless it `isNew`, without a row) to the new one.
    private static func replaceHash(
        of entity: EntityID, in state: ReplicaState, summedIn sum: inout StateDigest.Sum, isNew: Bool, db: Database
    ) throws -> [UInt8] {
        let (kind, hash): (EntityKind, [UInt8])
        if let article = state.articles[entity] {
            (kind, hash) = (.article, StateDigest.hash(of: article))
        } else if let annotation = state.annotations[entity] {
            (kind, hash) = (.annotation, StateDigest.hash(of: annotation))
        } else {
            return []
        }
        let stored = try db.cachedStatement(sql: "SELECT hash FROM \(kind.rawValue) WHERE id = ?")
        if !isNew, let old = try Data.fetchOne(stored, arguments: [Data(entity.bytes)]) {
            sum.remove(kind, id: entity, hash: [UInt8](old))
        }
        sum.add(kind, id: entity, hash: hash)
        return hash
    }

    /// Writes the fields and tags that differ from `stored` (all of them for a new entity): of
    /// each such field or tag, the live values or surviving adds `stored` lacks are inserted and
    /// the rows of those it had that are gone are deleted.
    private static func saveRegisters(
        _ registers: [Field: MultiValueRegister], tags: AddWinsSet, replacing stored: ([Field: MultiValueRegister], AddWinsSet),
        of key: Data, ordinals: ReplicaOrdinals.Memo, in db: Database
    ) throws {
        // Only the rows that went or came, each deleted by its whole primary key. Deleting by
        // entity and field (or tag) alone made SQLite build a temporary b-tree of the keys to
        // delete every time: a fifth of a sync round's apply. The field is written into the SQL,
        // one cached statement a field: bound as a parameter, it meets the partial index
        // `register_archived` (`field = 'archived'`), and SQLite prepares the statement again
        // whenever that parameter's value changes.
        for field in Set(registers.keys).union(stored.0.keys) where stored.0[field] != registers[field] {
            let (old, new) = (stored.0[field]?.values ?? [], registers[field]?.values ?? [])
            for value in old where !new.contains(value) {
                try db.cachedStatement(
                    sql: "DELETE FROM register_value WHERE entity = ? AND field = '\(field.rawValue)' AND replica = ? AND seq = ?"
                ).execute(arguments: [key, try ordinals.ordinal(of: value.dot.replica, in: db), Int64(bitPattern: value.dot.seq)])
            }
            for value in new where !old.contains(value) {
                try db.cachedStatement(
                    sql: "INSERT INTO register_value (entity, field, replica, seq, time, rank, value) VALUES (?, ?, ?, ?, ?, ?, ?)"
                ).execute(
                    arguments: [
                        key, field.rawValue, try ordinals.ordinal(of: value.dot.replica, in: db), Int64(bitPattern: value.dot.seq),
                        Int64(bitPattern: value.time), Int64(bitPattern: value.rank), value.value,
                    ]
                )
            }
        }
        for tag in Set(tags.adds.keys).union(stored.1.adds.keys) where stored.1.adds[tag] != tags.adds[tag] {
            let (old, new) = (stored.1.adds[tag] ?? [], tags.adds[tag] ?? [])
            for dot in old.subtracting(new) {
                try db.cachedStatement(sql: "DELETE FROM tag_add WHERE entity = ? AND tag = ? AND replica = ? AND seq = ?").execute(
                    arguments: [key, tag.string, try ordinals.ordinal(of: dot.replica, in: db), Int64(bitPattern: dot.seq)])
            }
            for dot in new.subtracting(old) {
                try db.cachedStatement(sql: "INSERT INTO tag_add (entity, tag, replica, seq) VALUES (?, ?, ?, ?)").execute(
                    arguments: [key, tag.string, try ordinals.ordinal(of: dot.replica, in: db), Int64(bitPattern: dot.seq)]
                )
            }
        }
    }

    /// Writes the presence marks that came since `stored` and deletes those that went, each by
    /// its whole primary key (see `saveRegisters`).
    private static func savePresence(
        _ presence: PresenceRegister, replacing stored: PresenceRegister?, of key: Data, ordinals: ReplicaOrdinals.Memo, in db: Database
    ) throws {
        guard stored != presence else { return }
        let (old, new) = (Set(stored?.entries ?? []), Set(presence.entries))
        for entry in old.subtracting(new) {
            try db.cachedStatement(sql: "DELETE FROM presence_mark WHERE entity = ? AND replica = ? AND seq = ?").execute(
                arguments: [key, try ordinals.ordinal(of: entry.dot.replica, in: db), Int64(bitPattern: entry.dot.seq)])
        }
        for entry in new.subtracting(old) {
            try db.cachedStatement(sql: "INSERT INTO presence_mark (entity, replica, seq, mark, time) VALUES (?, ?, ?, ?, ?)").execute(
                arguments: [
                    key, try ordinals.ordinal(of: entry.dot.replica, in: db), Int64(bitPattern: entry.dot.seq), entry.mark.rawValue,
                    Int64(bitPattern: entry.time),
                ])
        }
    }

    /// Writes the revisions added, or whose first adder changed, since `stored`. Revisions are
    /// never removed.
    private static func saveRevisions(
        _ revisions: [EntityID: ArticleRevision], replacing stored: [EntityID: ArticleRevision], of key: Data,
        ordinals: ReplicaOrdinals.Memo, in db: Database
    ) throws {
        for (revision, added) in revisions.sorted(by: { $0.key < $1.key }) where stored[revision] != added {
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO article_revision (article, revision, body, note, replica, seq, time, rank)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                key, Data(revision.bytes), added.body, added.note, try ordinals.ordinal(of: added.dot.replica, in: db),
                Int64(bitPattern: added.dot.seq), Int64(bitPattern: added.time), Int64(bitPattern: added.rank),
            ])
        }
    }

    private static func condition(_ ids: Set<EntityID>?, column: String = "entity") -> (String, StatementArguments) {
        guard let ids else { return ("1", []) }
        guard !ids.isEmpty else { return ("0", []) }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return ("\(column) IN (\(placeholders))", StatementArguments(ids.sorted().map { Data($0.bytes) }))
    }

    private static func id(_ row: Row, at index: Int) -> EntityID {
        let bytes: Data = row[index]
        return ID128(bytes: bytes)!
    }

    /// The dot in columns `index` (replica ordinal) and `index + 1` (seq).
    private static func dot(_ row: Row, at index: Int, _ replicas: [Int64: ReplicaID]) -> Dot {
        let ordinal: Int64 = row[index]
        return Dot(replica: replicas[ordinal]!, seq: UInt64(bitPattern: row[index + 1]))
    }
}
