import Foundation
import GRDB
import GlossCore

extension GlossStore {
    /// The version vector: which changes this replica holds.
    public func clock() throws(GlossStoreError) -> VersionVector {
        try access { try database.read { db in try ChangeRows.clock(in: db) } }
    }

    /// The whole merged state, for listings, conflicts and the digest.
    public func state() throws(GlossStoreError) -> ReplicaState {
        try access {
            try database.read { db in
                let (articles, annotations) = try EntityRows.load(nil, in: db)
                return ReplicaState(clock: try ChangeRows.clock(in: db), articles: articles, annotations: annotations)
            }
        }
    }

    /// The state digest (SPEC §8) and the version vector, read together from one snapshot:
    /// two small reads, the clock and the sum the store keeps up to date with every change.
    public func digest() throws(GlossStoreError) -> (clock: VersionVector, digest: [UInt8]) {
        try access {
            try database.read { db in (try ChangeRows.clock(in: db), try StateSumRow.read(in: db).digest) }
        }
    }

    /// How many fields are in conflict (as `ReplicaState.conflicts` counts them), from the
    /// count each entity's row keeps (`EntityRows.save`), by partial index: not by loading the
    /// state, nor by reading every register.
    public func conflictCount() throws(GlossStoreError) -> Int {
        try access {
            try database.read { db in
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT coalesce(sum(conflicts), 0) FROM article WHERE conflicts > 0)
                            + (SELECT coalesce(sum(conflicts), 0) FROM annotation WHERE conflicts > 0)
                        """
                ) ?? 0
            }
        }
    }

    /// The merged state of some entities only (with the full version vector).
    public func state(of ids: Set<EntityID>) throws(GlossStoreError) -> ReplicaState {
        try access {
            try database.read { db in
                let (articles, annotations) = try EntityRows.load(ids, in: db)
                return ReplicaState(clock: try ChangeRows.clock(in: db), articles: articles, annotations: annotations)
            }
        }
    }

    /// One article and all its annotations (deleted ones too), without loading the rest.
    public func state(ofArticle article: EntityID) throws(GlossStoreError) -> ReplicaState {
        let annotations = try access {
            try database.read { db in
                try Data.fetchAll(db, sql: "SELECT id FROM annotation WHERE article = ?", arguments: [Data(article.bytes)]).map {
                    ID128(bytes: $0)!
                }
            }
        }
        return try state(of: Set(annotations + [article]))
    }

    /// Every change a peer holding `since` lacks, in causal order.
    public func changes(since: VersionVector = VersionVector()) throws(GlossStoreError) -> [Change] {
        try access {
            try database.read { db in try ChangeRows.fetchLacking(since, in: db) }
        }
    }

    /// The changes that touched `entity` (or all), newest first.
    public func log(of entity: EntityID? = nil) throws(GlossStoreError) -> [Change] {
        try access {
            try database.read { db in
                guard let entity else { return try ChangeRows.fetch(db, newestFirst: true) }
                return try ChangeRows.touching(entity, in: db)
            }
        }
    }

    /// Up to `limit` changes, newest first, that arrived before `arrival` (from the newest when
    /// nil), and the arrival to pass for the next page (nil after the last): `gloss log` shows
    /// its first screen without reading the whole log.
    public func logPage(before arrival: Int64?, limit: Int) throws(GlossStoreError) -> (changes: [Change], next: Int64?) {
        try access {
            try database.read { db in
                let arrivals = try Int64.fetchAll(
                    db, sql: "SELECT arrival FROM change WHERE arrival < ? ORDER BY arrival DESC LIMIT ?",
                    arguments: [arrival ?? .max, limit])
                guard let newest = arrivals.first, let oldest = arrivals.last else { return ([], nil) }
                let changes = try ChangeRows.fetch(
                    db, where: "c.arrival >= ? AND c.arrival <= ?", arguments: [oldest, newest], newestFirst: true)
                return (changes, arrivals.count == limit ? oldest : nil)
            }
        }
    }

    /// One held change, if held.
    public func change(_ dot: Dot) throws(GlossStoreError) -> Change? {
        try access { try database.read { db in try ChangeRows.fetchOne(dot, in: db) } }
    }

    /// The article or annotation whose id starts with `prefix` (at least 4 hex digits), as
    /// git resolves abbreviated commits.
    public func resolve(prefix: String) throws(GlossStoreError) -> (id: EntityID, kind: EntityKind) {
        let digits = prefix.lowercased()
        // ASCII digits only: `Character.isHexDigit` also takes full-width ones, which no id has.
        guard digits.utf8.count >= 4, digits.utf8.count <= 32,
            digits.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            let lowest = ID128(hex: digits.padding(toLength: 32, withPad: "0", startingAt: 0)),
            let highest = ID128(hex: digits.padding(toLength: 32, withPad: "f", startingAt: 0))
        else {
            throw GlossStoreError(.unknownID, "'\(prefix)' is not an id: give at least 4 of its hex digits")
        }
        // The ids a prefix stands for are one range of the primary key: a lookup in its index,
        // not a hex string made of every id (which took 40 ms an edit at 100,000 notes).
        let (first, last) = (Data(lowest.bytes), Data(highest.bytes))
        let matches = try access {
            try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, 'article' AS kind FROM article WHERE id BETWEEN ? AND ?
                        UNION ALL
                        SELECT id, 'annotation' AS kind FROM annotation WHERE id BETWEEN ? AND ?
                        LIMIT 3
                        """, arguments: [first, last, first, last]
                ).map { row -> (EntityID, EntityKind) in
                    let bytes: Data = row["id"]
                    let kind: String = row["kind"]
                    return (ID128(bytes: bytes)!, EntityKind(rawValue: kind)!)
                }
            }
        }
        guard let first = matches.first else {
            throw GlossStoreError(.unknownID, "no article or annotation has an id starting with \(digits)")
        }
        guard matches.count == 1 else {
            throw GlossStoreError(
                .ambiguousID,
                "the id prefix \(digits) is ambiguous: it matches \(matches.map(\.0.hex).joined(separator: ", ")); give more digits")
        }
        return first
    }

    /// The names replicas gave themselves, where known (this replica's own at least).
    public func replicaNames() throws(GlossStoreError) -> [ReplicaID: String] {
        var names = try access {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT id, name FROM replica WHERE name IS NOT NULL").reduce(into: [ReplicaID: String]()) {
                    names, row in
                    let bytes: Data = row["id"]
                    names[ID128(bytes: bytes)!] = row["name"]
                }
            }
        }
        if let name = identity.name { names[identity.replicaID] = name }
        return names
    }

    /// Runs `PRAGMA integrity_check`; "ok" when the file is sound.
    public func integrityCheck() throws(GlossStoreError) -> String {
        try access { try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") } }
    }
}
