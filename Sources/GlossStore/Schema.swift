import Foundation
import GRDB

/// The store's schema, as append-only named migrations: a released migration is never edited,
/// a later one is added after it.
///
/// Two kinds of tables: the op log (`change`, `operation`), which is the truth and what peers
/// receive, and the materialized state (`article`, `annotation`, `register_value`, `tag_add`,
/// `presence_mark`), which is what applying the log through GlossCore's merge rules produced.
/// Both are written in the same transaction, so they never disagree.
enum Schema {
    /// The newest schema this build knows; a store migrated past it is refused.
    static let migrations = [
        "v1-op-log-and-state", "v2-peers-clock-and-hashes", "v3-devices", "v4-signed-history", "v5-forks",
        "v6-sync-failures", "v7-search", "v8-archived-field", "v9-conflict-counts",
        "v10-state-sum", "v11-revisions",
    ]

    /// The shape of the tables a reader meets. Migrations v2 and v4 read the log and the state
    /// with the live readers, before v11 added revisions; they say so, and the readers leave
    /// out what was not there yet.
    enum Layout { case current, beforeRevisions }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrations[0]) { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value BLOB NOT NULL
                    ) STRICT, WITHOUT ROWID;

                    -- Replica ids are stored once; other tables name a replica by its ordinal.
                    CREATE TABLE replica (
                        ordinal INTEGER PRIMARY KEY,
                        id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
                        name TEXT
                    ) STRICT;

                    CREATE TABLE change (
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        time INTEGER NOT NULL,
                        dependencies BLOB NOT NULL,
                        arrival INTEGER NOT NULL UNIQUE,
                        PRIMARY KEY (replica, seq)
                    ) STRICT, WITHOUT ROWID;

                    CREATE TABLE operation (
                        replica INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        position INTEGER NOT NULL CHECK (position >= 0),
                        kind TEXT NOT NULL CHECK (kind IN ('create-article', 'create-annotation', 'set',
                            'add-tag', 'remove-tag', 'delete', 'keep')),
                        entity BLOB NOT NULL CHECK (length(entity) = 16),
                        name TEXT,
                        value TEXT,
                        article BLOB,
                        prefix TEXT,
                        suffix TEXT,
                        start INTEGER,
                        "end" INTEGER,
                        PRIMARY KEY (replica, seq, position),
                        FOREIGN KEY (replica, seq) REFERENCES change(replica, seq)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX operation_by_entity ON operation(entity);

                    CREATE TABLE article (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
                        body TEXT NOT NULL
                    ) STRICT, WITHOUT ROWID;

                    CREATE TABLE annotation (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
                        article BLOB NOT NULL REFERENCES article(id),
                        exact TEXT NOT NULL,
                        prefix TEXT NOT NULL,
                        suffix TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        "end" INTEGER NOT NULL CHECK ("end" > start),
                        alive INTEGER NOT NULL CHECK (alive IN (0, 1))
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX annotation_by_article ON annotation(article);

                    -- The live values of every register field: one row per sibling.
                    CREATE TABLE register_value (
                        entity BLOB NOT NULL,
                        field TEXT NOT NULL CHECK (field IN ('title', 'source', 'note', 'color')),
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL,
                        time INTEGER NOT NULL,
                        rank INTEGER NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (entity, field, replica, seq)
                    ) STRICT, WITHOUT ROWID;

                    -- The surviving adds of every tag.
                    CREATE TABLE tag_add (
                        entity BLOB NOT NULL,
                        tag TEXT NOT NULL,
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL,
                        PRIMARY KEY (entity, tag, replica, seq)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX tag_add_by_tag ON tag_add(tag);

                    -- The live alive/deleted marks of every annotation.
                    CREATE TABLE presence_mark (
                        entity BLOB NOT NULL REFERENCES annotation(id),
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL,
                        mark TEXT NOT NULL CHECK (mark IN ('alive', 'deleted')),
                        time INTEGER NOT NULL,
                        PRIMARY KEY (entity, replica, seq)
                    ) STRICT, WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration(migrations[1]) { db in
            try db.execute(
                sql: """
                    -- The replicas this one has synced with: when, where, and what each held then.
                    CREATE TABLE peer (
                        replica BLOB PRIMARY KEY NOT NULL CHECK (length(replica) = 16),
                        name TEXT NOT NULL,
                        address TEXT NOT NULL,
                        last_sync INTEGER NOT NULL,
                        clock BLOB NOT NULL,
                        sent INTEGER NOT NULL,
                        received INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;

                    -- The version vector, kept beside the log so reading it costs one row per
                    -- replica, not a scan of every change. Written in the same transaction as
                    -- each change.
                    CREATE TABLE clock (
                        replica INTEGER PRIMARY KEY REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL CHECK (seq >= 1)
                    ) STRICT;
                    INSERT INTO clock (replica, seq) SELECT replica, max(seq) FROM change GROUP BY replica;

                    -- Each entity's hash (StateDigest.hash), kept beside it so the state digest
                    -- reads 48 bytes per entity instead of the whole state.
                    ALTER TABLE article ADD COLUMN hash BLOB CHECK (hash IS NULL OR length(hash) = 32);
                    ALTER TABLE annotation ADD COLUMN hash BLOB CHECK (hash IS NULL OR length(hash) = 32);
                    """)
            for table in ["article", "annotation"] {
                try EntityRows.forEachPage(of: table, size: 500, in: db, layout: .beforeRevisions) { page, ids in
                    try EntityRows.storeHashes(of: Set(ids), in: page, db: db)
                }
            }
        }
        migrator.registerMigration(migrations[2]) { db in
            try db.execute(
                sql: """
                    -- The allowlist: devices (replicas, by the id their TLS key hashes to) and what
                    -- each may do here. Local to this replica: never synced, never in a bundle.
                    CREATE TABLE device (
                        replica BLOB PRIMARY KEY NOT NULL CHECK (length(replica) = 16),
                        name TEXT,
                        role TEXT NOT NULL CHECK (role IN ('read-write', 'read-only', 'ignored', 'revoked')),
                        changed INTEGER NOT NULL,
                        last_seen INTEGER,
                        address TEXT
                    ) STRICT, WITHOUT ROWID;

                    -- Unknown devices that completed a TLS handshake and were refused: for the
                    -- owner to review with 'gloss pending'. Bounded and expiring (GlossStore+Devices).
                    CREATE TABLE pending_device (
                        replica BLOB PRIMARY KEY NOT NULL CHECK (length(replica) = 16),
                        name TEXT NOT NULL,
                        address TEXT NOT NULL,
                        first_attempt INTEGER NOT NULL,
                        last_attempt INTEGER NOT NULL,
                        attempts INTEGER NOT NULL CHECK (attempts >= 1)
                    ) STRICT, WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration(migrations[3]) { db in
            try db.execute(
                sql: """
                    -- Signed history (SPEC §6.6): each change's chain hash, each author's public key
                    -- (its replica id is the key's hash), and the authors' signatures received.
                    ALTER TABLE change ADD COLUMN chain BLOB CHECK (chain IS NULL OR length(chain) = 32);
                    ALTER TABLE replica ADD COLUMN key BLOB CHECK (key IS NULL OR length(key) = 32);
                    CREATE TABLE checkpoint (
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        signature BLOB NOT NULL CHECK (length(signature) = 64),
                        PRIMARY KEY (replica, seq)
                    ) STRICT, WITHOUT ROWID;
                    """)
            try SignatureRows.upgradeUnsignedStore(db)
        }
        migrator.registerMigration(migrations[4]) { db in
            try db.execute(
                sql: """
                    -- Authors proven to have forked their histories (SPEC §6.7): the first proof
                    -- held of each, kept to pass on; their changes from `seq` on are refused.
                    CREATE TABLE fork (
                        author BLOB PRIMARY KEY NOT NULL CHECK (length(author) = 16),
                        seq INTEGER NOT NULL CHECK (seq >= 0),
                        evidence BLOB NOT NULL,
                        recorded INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration(migrations[5]) { db in
            try db.execute(
                sql: """
                    -- The last failed sync attempt with each address this replica syncs with
                    -- as a client, for 'gloss peers': an address, since a server that could not
                    -- be reached never said who it is.
                    CREATE TABLE sync_failure (
                        address TEXT PRIMARY KEY NOT NULL,
                        time INTEGER NOT NULL,
                        message TEXT NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration(migrations[6]) { db in
            // Frozen SQL, not live code: this is what `SearchRows.index` writes, for the state
            // the store holds when it is upgraded.
            try db.execute(
                sql: """
                    -- Full-text search over articles (titles and body) and live annotations'
                    -- notes, kept in the same transaction as the state (SearchRows). FTS5 rows
                    -- are found by rowid, so each entity gets a stable row number here.
                    CREATE TABLE search_key (
                        row INTEGER PRIMARY KEY,
                        entity BLOB NOT NULL UNIQUE CHECK (length(entity) = 16)
                    ) STRICT;
                    CREATE VIRTUAL TABLE search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
                    INSERT INTO search_key (entity) SELECT id FROM article;
                    INSERT INTO search_key (entity) SELECT id FROM annotation;
                    INSERT INTO search (rowid, text)
                        SELECT k.row, coalesce((SELECT group_concat(r.value, char(10)) FROM register_value r
                            WHERE r.entity = a.id AND r.field = 'title'), '') || char(10) || a.body
                        FROM article a JOIN search_key k ON k.entity = a.id;
                    INSERT INTO search (rowid, text)
                        SELECT k.row, (SELECT group_concat(r.value, char(10)) FROM register_value r
                            WHERE r.entity = n.id AND r.field = 'note')
                        FROM annotation n JOIN search_key k ON k.entity = n.id
                        WHERE n.alive = 1 AND EXISTS (SELECT 1 FROM register_value r WHERE r.entity = n.id AND r.field = 'note');

                    -- For the whole-store commands (GlossStore+Listing): live annotations in
                    -- reading order and counted per article, and contested deletes, by index.
                    CREATE INDEX annotation_live ON annotation(alive, article, start, "end");
                    CREATE INDEX presence_deleted ON presence_mark(entity) WHERE mark = 'deleted';
                    """)
        }
        migrator.registerMigration(migrations[7]) { db in
            // SQLite cannot change a CHECK in place: the table is rebuilt with `archived` allowed
            // (SQLite's documented twelve-step way; no view, trigger or foreign key names it).
            try db.execute(
                sql: """
                    CREATE TABLE register_value_v8 (
                        entity BLOB NOT NULL,
                        field TEXT NOT NULL CHECK (field IN ('title', 'source', 'note', 'color', 'archived')),
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL,
                        time INTEGER NOT NULL,
                        rank INTEGER NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (entity, field, replica, seq)
                    ) STRICT, WITHOUT ROWID;
                    INSERT INTO register_value_v8 SELECT entity, field, replica, seq, time, rank, value FROM register_value;
                    DROP TABLE register_value;
                    ALTER TABLE register_value_v8 RENAME TO register_value;
                    -- Archived articles, found without reading every register.
                    CREATE INDEX register_archived ON register_value(entity) WHERE field = 'archived';
                    """)
        }
        migrator.registerMigration(migrations[8]) { db in
            // Frozen SQL, not live code: the counts `EntityRows.save` writes from
            // `ArticleState.conflicts` and `AnnotationState.conflicts`, for the state the store
            // holds when it is upgraded (the rule of SPEC §4.7: different values, of an article
            // or a live annotation, and a live annotation's contested delete).
            try db.execute(
                sql: """
                    -- How many of each entity's fields wait for a person, kept with its row, so
                    -- that status and conflicts read a partial index rather than every register.
                    ALTER TABLE article ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0);
                    ALTER TABLE annotation ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0);
                    CREATE TEMP TABLE conflicted AS
                        SELECT entity, count(*) AS fields FROM (
                            SELECT entity FROM register_value GROUP BY entity, field
                            HAVING count(DISTINCT CAST(value AS BLOB)) > 1
                        ) GROUP BY entity;
                    UPDATE article SET conflicts = c.fields FROM conflicted c WHERE c.entity = article.id;
                    UPDATE annotation SET conflicts = c.fields FROM conflicted c WHERE c.entity = annotation.id AND annotation.alive = 1;
                    UPDATE annotation SET conflicts = conflicts + 1
                        WHERE alive = 1 AND id IN (SELECT entity FROM presence_mark WHERE mark = 'deleted');
                    DROP TABLE conflicted;
                    CREATE INDEX article_conflicted ON article(conflicts) WHERE conflicts > 0;
                    CREATE INDEX annotation_conflicted ON annotation(conflicts) WHERE conflicts > 0;
                    """)
        }
        migrator.registerMigration(migrations[9]) { db in
            try db.execute(
                sql: """
                    -- The state digest's sum (SPEC §8): entity counts and the sum, modulo 2^256, of
                    -- one element per entity, updated with every change so that a sync reads the
                    -- digest from this one row rather than from every entity's hash.
                    CREATE TABLE state_sum (
                        one INTEGER PRIMARY KEY CHECK (one = 1),
                        articles INTEGER NOT NULL CHECK (articles >= 0),
                        annotations INTEGER NOT NULL CHECK (annotations >= 0),
                        total BLOB NOT NULL CHECK (length(total) = 32)
                    ) STRICT;
                    """)
            // The stored hashes are what the sum adds up; SPEC §8 fixes how (this is not the
            // live save path, only the definition of the sum).
            let sum = try StateSumRow.recomputed(in: db)
            try db.execute(
                sql: "INSERT INTO state_sum (one, articles, annotations, total) VALUES (1, ?, ?, ?)",
                arguments: [sum.articles, sum.annotations, Data(sum.total)])
        }
        migrator.registerMigration(migrations[10]) { db in
            // Article revisions (SPEC §4.3.2): a table of later texts; the revision an annotation
            // was made on; and, rebuilt with their CHECKs widened (SQLite cannot change a CHECK in
            // place), the log with `add-revision` and a revision column, and the registers with
            // the `revision` and `anchor` fields.
            try db.execute(
                sql: """
                    CREATE TABLE article_revision (
                        article BLOB NOT NULL REFERENCES article(id),
                        revision BLOB NOT NULL CHECK (length(revision) = 16),
                        body TEXT NOT NULL,
                        note TEXT NOT NULL,
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL,
                        time INTEGER NOT NULL,
                        rank INTEGER NOT NULL,
                        PRIMARY KEY (article, revision)
                    ) STRICT, WITHOUT ROWID;

                    ALTER TABLE annotation ADD COLUMN revision BLOB CHECK (revision IS NULL OR length(revision) = 16);

                    CREATE TABLE operation_v11 (
                        replica INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        position INTEGER NOT NULL CHECK (position >= 0),
                        kind TEXT NOT NULL CHECK (kind IN ('create-article', 'create-annotation', 'set',
                            'add-tag', 'remove-tag', 'delete', 'keep', 'add-revision')),
                        entity BLOB NOT NULL CHECK (length(entity) = 16),
                        name TEXT,
                        value TEXT,
                        article BLOB,
                        prefix TEXT,
                        suffix TEXT,
                        start INTEGER,
                        "end" INTEGER,
                        revision BLOB CHECK (revision IS NULL OR length(revision) = 16),
                        PRIMARY KEY (replica, seq, position),
                        FOREIGN KEY (replica, seq) REFERENCES change(replica, seq)
                    ) STRICT, WITHOUT ROWID;
                    INSERT INTO operation_v11 (replica, seq, position, kind, entity, name, value, article, prefix, suffix, start, "end")
                        SELECT replica, seq, position, kind, entity, name, value, article, prefix, suffix, start, "end" FROM operation;
                    DROP TABLE operation;
                    ALTER TABLE operation_v11 RENAME TO operation;
                    CREATE INDEX operation_by_entity ON operation(entity);

                    CREATE TABLE register_value_v11 (
                        entity BLOB NOT NULL,
                        field TEXT NOT NULL CHECK (field IN ('title', 'source', 'note', 'color', 'archived', 'revision', 'anchor')),
                        replica INTEGER NOT NULL REFERENCES replica(ordinal),
                        seq INTEGER NOT NULL,
                        time INTEGER NOT NULL,
                        rank INTEGER NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (entity, field, replica, seq)
                    ) STRICT, WITHOUT ROWID;
                    INSERT INTO register_value_v11 SELECT entity, field, replica, seq, time, rank, value FROM register_value;
                    DROP TABLE register_value;
                    ALTER TABLE register_value_v11 RENAME TO register_value;
                    CREATE INDEX register_archived ON register_value(entity) WHERE field = 'archived';
                    """)
        }
        return migrator
    }
}
