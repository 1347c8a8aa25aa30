import Foundation
import GRDB
import GlossCore

/// The full-text index (`search`, FTS5): one row per article (its titles, then its body) and
/// per live annotation with a note (its notes, siblings in conflict included). Written by
/// `EntityRows.save` in the transaction that changes the entity, so a search never sees a
/// state the store does not hold.
enum SearchRows {
    /// Replaces `entity`'s row with its text in `state` (none for a deleted annotation or one
    /// without a note), and writes nothing when that text is its text in `stored`, the state
    /// the rows held before: what the index holds, since both are written together.
    ///
    /// Most saves leave it as it was: an annotation created on an article saves the article, a
    /// color or a tag saves the annotation. Rewriting it each time made the search index about
    /// 15 of the 34 WAL frames of a local commit (an article's whole body, again and again).
    /// Comparing with `stored` rather than reading the indexed text back saves a lookup in the
    /// FTS5 table for every entity saved (two fifths of the index's cost in a sync round). An
    /// entity that `isNew` has no row to look for.
    static func index(_ entity: EntityID, from state: ReplicaState, replacing stored: ReplicaState, isNew: Bool, in db: Database) throws {
        let key = Data(entity.bytes)
        let text = Self.text(of: entity, in: state)
        let indexed = isNew ? nil : Self.text(of: entity, in: stored)
        let unchanged =
            switch (indexed, text) {
            case (nil, nil): true
            // Byte for byte: Swift's == would call a decomposed "é" equal to a composed one.
            case (let old?, let new?): old.utf8.elementsEqual(new.utf8)
            default: false
            }
        if unchanged { return }
        let held =
            isNew ? nil : try Int64.fetchOne(db.cachedStatement(sql: "SELECT row FROM search_key WHERE entity = ?"), arguments: [key])
        let row: Int64
        if let held {
            row = held
            if indexed != nil { try db.cachedStatement(sql: "DELETE FROM search WHERE rowid = ?").execute(arguments: [row]) }
        } else {
            row = try Int64.fetchOne(db.cachedStatement(sql: "INSERT INTO search_key (entity) VALUES (?) RETURNING row"), arguments: [key])!
        }
        if let text { try db.cachedStatement(sql: "INSERT INTO search (rowid, text) VALUES (?, ?)").execute(arguments: [row, text]) }
    }

    /// What the index holds of an entity: an article's titles then its body; a live
    /// annotation's notes, siblings in conflict included; nil for anything else.
    static func text(of entity: EntityID, in state: ReplicaState) -> String? {
        if let article = state.articles[entity] {
            return (article.registers[.title]?.values.map(\.value) ?? []).joined(separator: "\n") + "\n" + article.currentBody
        }
        if let annotation = state.annotations[entity], annotation.presence.isAlive,
            let notes = annotation.registers[.note]?.values.map(\.value), !notes.isEmpty
        {
            return notes.joined(separator: "\n")
        }
        return nil
    }
}

/// One place a search found its words.
public struct SearchHit: Hashable, Sendable {
    public enum Kind: String, Sendable { case article, annotation }
    public let kind: Kind
    public let entity: EntityID
    /// The article (the entity itself for an article hit).
    public let article: EntityID
    /// A few words around the match on one line, each matching word between `mark.open` and
    /// `mark.close`.
    public let snippet: String
}

extension GlossStore {
    /// Where to search.
    public enum SearchScope: String, Sendable, CaseIterable {
        case notes, articles, all
    }

    /// The articles and live annotations whose text holds every one of `words` (case and
    /// accents aside, whole words; a word ending in `*` matches as a prefix), best first, at
    /// most `limit`. With `tag`, only entities carrying that tag (an annotation, or an article).
    public func search(
        _ words: [String], in scope: SearchScope = .all, tag: String? = nil, limit: Int = 50, mark: (open: String, close: String)
    ) throws(GlossStoreError) -> [SearchHit] {
        let query = Self.ftsQuery(words)
        guard !query.isEmpty else { return [] }
        return try access {
            try database.read { db in
                var conditions = ["search MATCH ?"]
                var arguments: StatementArguments = [query]
                switch scope {
                case .notes: conditions.append("n.id IS NOT NULL")
                case .articles: conditions.append("a.id IS NOT NULL")
                case .all: break
                }
                if let tag {
                    conditions.append("EXISTS (SELECT 1 FROM tag_add t WHERE t.entity = k.entity AND t.tag = ?)")
                    arguments += [tag]
                }
                // The best rows first, then a snippet of those only: a snippet reads its row's
                // text, and SQLite computes what a query selects before it sorts and cuts, so a
                // common word made one snippet per match (69,000 page reads at 100,000 notes).
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        WITH best AS (
                            SELECT search.rowid AS row, bm25(search) AS score
                            FROM search JOIN search_key k ON k.row = search.rowid
                            LEFT JOIN article a ON a.id = k.entity
                            LEFT JOIN annotation n ON n.id = k.entity
                            WHERE \(conditions.joined(separator: " AND "))
                            ORDER BY score, row LIMIT ?
                        )
                        SELECT k.entity AS entity, a.id AS articleRow, n.article AS annotated,
                            snippet(search, 0, ?, ?, '…', 12) AS snippet
                        FROM best CROSS JOIN search ON search.rowid = best.row
                        JOIN search_key k ON k.row = best.row
                        LEFT JOIN article a ON a.id = k.entity
                        LEFT JOIN annotation n ON n.id = k.entity
                        WHERE search MATCH ?
                        ORDER BY best.score, best.row
                        """, arguments: arguments + [limit, mark.open, mark.close, query])
                return rows.map { row in
                    let entity = EntityID(bytes: row["entity"] as Data)!
                    let isArticle = (row["articleRow"] as Data?) != nil
                    let article = isArticle ? entity : EntityID(bytes: row["annotated"] as Data)!
                    let snippet = (row["snippet"] as String).split(whereSeparator: \.isNewline).joined(separator: " ")
                    return SearchHit(kind: isArticle ? .article : .annotation, entity: entity, article: article, snippet: snippet)
                }
            }
        }
    }

    /// Each word as an FTS5 string (so `"`, `-` or `OR` in what a person typed are text, not
    /// syntax), all required; a trailing `*` keeps its prefix meaning.
    static func ftsQuery(_ words: [String]) -> String {
        searchTerms(words).joined(separator: " ")
    }

    /// The FTS5 strings `ftsQuery` joins: words with a letter or digit in them.
    public static func searchTerms(_ words: [String]) -> [String] {
        words.flatMap { $0.split(whereSeparator: \.isWhitespace) }.compactMap { word -> String? in
            let prefix = word.hasSuffix("*") && word.count > 1
            let text = prefix ? word.dropLast() : word[...]
            guard text.contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (prefix ? "*" : "")
        }
    }
}

extension GlossStore {
    /// What the search index holds, by entity: for tests that check it against the state.
    func indexedTexts() throws(GlossStoreError) -> [EntityID: String] {
        try access {
            try database.read { db in
                var texts: [EntityID: String] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT k.entity, s.text FROM search_key k JOIN search s ON s.rowid = k.row")
                while let row = try rows.next() {
                    let key: Data = row[0]
                    texts[ID128(bytes: key)!] = row[1]
                }
                return texts
            }
        }
    }
}
