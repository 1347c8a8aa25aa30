import Crypto
import Foundation
import GRDB
import GlossCore

/// One replica's store: an SQLite file holding the op log and the merged state, plus the
/// replica's identity and signing key.
///
/// Every edit is one `commit`, every received batch one `apply`: each is a single IMMEDIATE
/// transaction that appends to the log, updates the merged state through GlossCore's merge
/// rules and bumps the version vector together, so a crash keeps all of it or none.
///
///     let store = try GlossStore.create(at: path, name: "desk")
///     let change = try store.commit(time: now) { dot in [.addTag(entity: article, tag: "todo")] }
public final class GlossStore: Sendable {
    public let path: String
    public let identity: StoreIdentity
    /// A read-write pool (WAL), or a read-only connection for commands that only look.
    let database: any DatabaseWriter

    /// How a store is opened.
    public enum Access: Sendable {
        /// For looking only: nothing is written, not even SQLite's bookkeeping, so backup and
        /// sync tools do not see the file change on every `gloss status`.
        case read
        /// One connection for a command that edits; the file changes only if it does.
        case write
        /// A writer and a pool of concurrent readers, for `gloss serve`: one session's
        /// reads do not wait for another session's batch to commit.
        case serve
    }

    /// Opens an existing store, upgrading its schema if it is older than this build.
    ///
    /// The file is checked before anything can write to it: it must be an SQLite database
    /// holding Gloss's tables, so a wrong `--store` never touches someone else's file.
    public static func open(at path: String, access: Access = .write) throws(GlossStoreError) -> GlossStore {
        guard !path.isEmpty else { throw GlossStoreError(.noStore, Self.emptyPath) }
        let readOnly = access == .read
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GlossStoreError(.noStore, "no store at \(path) (create one with 'gloss init')")
        }
        guard !isDirectory.boolValue else { throw GlossStoreError(.notAGlossStore, "\(path) is a directory, not a store") }
        guard let header = FileHandle(forReadingAtPath: path)?.readData(ofLength: 16), header == Data("SQLite format 3\0".utf8) else {
            throw GlossStoreError(.notAGlossStore, "\(path) is not a Gloss store")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let writable = fileManager.isWritableFile(atPath: path) && fileManager.isWritableFile(atPath: directory.isEmpty ? "." : directory)
        guard writable || readOnly else {
            throw GlossStoreError(
                .notWritable,
                "the store at \(path) cannot be changed: the file or its folder is read-only (commands that only read it still work)")
        }
        do {
            let probe = try readOnlyQueue(path)
            let (identity, upToDate) = try probe.read { db in
                guard try db.tableExists("meta") else {
                    throw GlossStoreError(.notAGlossStore, "\(path) is not a Gloss store")
                }
                let applied = try Schema.migrator.appliedIdentifiers(db)
                if let unknown = applied.subtracting(Schema.migrations).first {
                    throw GlossStoreError(.newerSchema, "the store at \(path) was written by a newer gloss (schema \(unknown))")
                }
                return (try StoreIdentity.read(db), applied == Set(Schema.migrations))
            }
            if readOnly && upToDate { return GlossStore(path: path, identity: identity, database: probe) }
            try probe.close()
            guard writable else { throw GlossStoreError(.notWritable, "the store at \(path) needs an upgrade and is not writable") }
            let database = try connect(path, pooled: access == .serve)
            try Schema.migrator.migrate(database)
            return GlossStore(path: path, identity: identity, database: database)
        } catch let error as GlossStoreError {
            throw error
        } catch {
            throw GlossStoreError(.notAGlossStore, "\(path) is not a Gloss store (\(Self.describe(error)))")
        }
    }

    /// Creates a new store file with a fresh replica (a new Ed25519 signing key) of `storeID`,
    /// or of a new store when `storeID` is nil. The file is readable by its owner only: it
    /// holds the private key and notes that may name sources.
    ///
    /// The store is built complete in a hidden file beside `path` and then linked into place,
    /// so an interrupted `init` or `clone` leaves no half-made store in the way of a retry.
    /// `trusting` puts a device on the allowlist as read-write in the same step (a clone's
    /// server), so no store ever exists that lacks it.
    public static func create(
        at path: String, storeID: StoreID? = nil, name: String?, key: ReplicaKey = ReplicaKey(),
        trusting server: (replica: ReplicaID, time: UInt64)? = nil
    ) throws(GlossStoreError) -> GlossStore {
        guard !path.isEmpty else { throw GlossStoreError(.noStore, Self.emptyPath) }
        let fileManager = FileManager.default
        if let occupied = whatOccupies(path) { throw occupied }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            throw GlossStoreError(.notWritable, "cannot create the folder \(directory): \(describe(error))")
        }
        let fileName = (path as NSString).lastPathComponent
        let building = (directory.isEmpty ? "" : directory + "/") + ".\(fileName).gloss-init-\(getpid())-\(randomID().hex.prefix(8))"
        let descriptor = Foundation.open(building, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            throw GlossStoreError(.notWritable, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        defer { for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: building + suffix) } }
        do {
            let database = try connect(building, pooled: false)
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try Schema.migrator.migrate(database)
            let identity = StoreIdentity(storeID: storeID ?? randomID(), replicaID: key.replicaID, name: name)
            try database.write { db in
                try identity.write(db, signingKey: key.privateKeyBytes)
                if let server {
                    try db.execute(
                        sql: "INSERT INTO device (replica, role, changed) VALUES (?, ?, ?)",
                        arguments: [Data(server.replica.bytes), DeviceRole.readWrite.rawValue, Int64(server.time)])
                }
            }
            try database.close()  // checkpoints: the file alone now holds the whole store
        } catch {
            throw GlossStoreError(.notWritable, "cannot create a store at \(path): \(describe(error))")
        }
        // link() refuses to replace an existing file; where hard links are not supported,
        // rename() after the existence check above is the next best thing.
        if link(building, path) != 0 {
            let linkError = errno
            if linkError == EEXIST { throw whatOccupies(path) ?? GlossStoreError(.storeExists, "a store already exists at \(path)") }
            guard linkError == EPERM || linkError == ENOTSUP || linkError == EXDEV, rename(building, path) == 0 else {
                throw GlossStoreError(.notWritable, "cannot create \(path): \(String(cString: strerror(linkError)))")
            }
        }
        return try open(at: path)
    }

    /// Why a store cannot be created at `path`, if something is there: a store, or something
    /// else that is never overwritten (a directory, an empty file, any other file).
    public static func whatOccupies(_ path: String) -> GlossStoreError? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue {
            return GlossStoreError(.storeExists, "\(path) is a directory; give a file path for the store, e.g. \(path)/store.sqlite")
        }
        let handle = try? FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        let start = (try? handle?.read(upToCount: 16)) ?? nil
        try? handle?.close()
        switch start {
        case .some(let bytes) where bytes.starts(with: Array("SQLite format 3\0".utf8)):
            return GlossStoreError(.storeExists, "a store already exists at \(path)")
        case .none, .some(Data()):
            return GlossStoreError(.storeExists, "\(path) exists and is empty; remove it or choose another path")
        default:
            return GlossStoreError(.storeExists, "\(path) exists and is not a Gloss store; refusing to overwrite it")
        }
    }

    private init(path: String, identity: StoreIdentity, database: any DatabaseWriter) {
        self.path = path
        self.identity = identity
        self.database = database
    }

    /// A read-only connection. On read-only media (a CD, a mount without write access) SQLite
    /// cannot create the WAL index a WAL store's reader needs; when the store was closed cleanly
    /// (no WAL content waiting) it is opened as immutable instead, so a read works there too.
    private static func readOnlyQueue(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            guard wal == 0 else { throw error }
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["?", "#"])) ?? absolute
            // SQLite reads a URI filename when built with URI support, as Debian's and Apple's are.
            return try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: configuration)
        }
    }

    /// A busy timeout, so a concurrent writer (another gloss process) waits instead of
    /// failing, and `synchronous = FULL`: a committed note survives power loss, not only a
    /// crash. The file is in WAL mode from its creation, so readers never block the writer.
    private static func connect(_ path: String, pooled: Bool) throws(GlossStoreError) -> any DatabaseWriter {
        var configuration = Configuration()
        configuration.busyMode = .callback(Self.waitForTheLock)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            guard pooled else { return try DatabaseQueue(path: path, configuration: configuration) }
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB's pool set-up switches its writer to synchronous = NORMAL; put FULL back.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            return pool
        } catch {
            throw GlossStoreError(.notAGlossStore, "cannot open \(path): \(describe(error))")
        }
    }

    static func randomID() -> ID128 {
        var generator = SystemRandomNumberGenerator()
        return ID128(high: generator.next(), low: generator.next())
    }

    /// What an empty `--store ""` is told (an empty `GLOSS_STORE` is ignored instead).
    static let emptyPath = "the store path is empty: give --store the store file's path"

    /// SQLite's own message, without GRDB's decoration.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    /// Runs a database access, turning SQLite errors into store errors.
    func access<T>(_ body: () throws -> T) throws(GlossStoreError) -> T {
        do {
            return try body()
        } catch let error as GlossStoreError {
            throw error
        } catch let error as GlossCoreError {
            throw GlossStoreError(refusing: error)
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        } catch {
            throw GlossStoreError(.databaseError, "the store at \(path) failed: \(Self.describe(error))")
        }
    }

    /// An SQLite failure, said as what a person can do about it.
    static func storeError(_ error: DatabaseError, path: String) -> GlossStoreError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            let holder =
                WriterNote(store: path).read().map { "\($0.description) (pid \($0.pid)) is applying changes to it" }
                ?? "another gloss command (a sync, a server applying changes, a bundle apply or an import) held it"
            return GlossStoreError(
                .busy, "the store at \(path) is busy: \(holder) for more than \(Int(busyTimeout)) s; try again when it is done")
        case .SQLITE_FULL:
            return GlossStoreError(.diskFull, "the disk holding \(path) is full; nothing was written")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return GlossStoreError(.notWritable, "the store at \(path) cannot be written: \(describe(error))")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return GlossStoreError(.notAGlossStore, "the store at \(path) is damaged: \(describe(error))")
        default:
            return GlossStoreError(.databaseError, "the store at \(path) failed: \(describe(error))")
        }
    }

    /// How long a command waits for another's write to finish before it says the store is busy.
    static let busyTimeout: TimeInterval = 10

    /// How a writer waits for another's write lock: tries again every 2 ms, for `busyTimeout`
    /// of wall-clock time (counted from its first try, on the waiting thread: a loaded machine's
    /// sleeps run long, so counting tries would wait longer). SQLite's own busy timeout backs
    /// off to a try every 100 ms, so a writer that commits in slices (`applyInSlices`) and
    /// pauses only briefly between them would keep the lock from a `gloss edit` for as long as
    /// it runs.
    static let waitForTheLock: Database.BusyCallback = { tries in
        let now = ContinuousClock.now
        let key = "gloss.busy-since"
        if tries == 0 { Thread.current.threadDictionary[key] = now }
        let since = Thread.current.threadDictionary[key] as? ContinuousClock.Instant ?? now
        guard now - since < .milliseconds(Int64(busyTimeout * 1000)) else { return false }
        usleep(2_000)
        return true
    }
}

/// Who this replica is: the store it belongs to, its own id and its optional name.
public struct StoreIdentity: Hashable, Sendable {
    public let storeID: StoreID
    public let replicaID: ReplicaID
    public let name: String?

    static func read(_ db: Database) throws -> StoreIdentity {
        func bytes(_ key: String) throws -> Data? {
            try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
        }
        guard let store = try bytes("store-id").flatMap({ ID128(bytes: $0) }),
            let replica = try bytes("replica-id").flatMap({ ID128(bytes: $0) })
        else { throw GlossStoreError(.notAGlossStore, "the store has no identity") }
        let name = try bytes("name").map { String(decoding: $0, as: UTF8.self) }
        return StoreIdentity(storeID: store, replicaID: replica, name: name)
    }

    func write(_ db: Database, signingKey: [UInt8]) throws {
        var rows: [(String, Data)] = [
            ("store-id", Data(storeID.bytes)), ("replica-id", Data(replicaID.bytes)), ("signing-key", Data(signingKey)),
        ]
        if let name { rows.append(("name", Data(name.utf8))) }
        for (key, value) in rows {
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
        _ = try ReplicaOrdinals.ordinal(of: replicaID, in: db)
    }
}

/// A replica's Ed25519 signing key, and the replica id derived from it (SPEC §4.1). Made before
/// the store when cloning over the network: the HELLO announces the id before the store exists.
public struct ReplicaKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init() { key = Curve25519.Signing.PrivateKey() }

    /// A key from its 32 raw private bytes (`privateKeyBytes`); nil if they are not a key.
    public init?(privateKeyBytes: some ContiguousBytes) {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKeyBytes) else { return nil }
        self.key = key
    }

    /// The Ed25519 key itself, for the TLS identity.
    public var signingKey: Curve25519.Signing.PrivateKey { key }

    public var replicaID: ReplicaID { ID128.derived(fromPublicKey: Array(key.publicKey.rawRepresentation)) }

    /// The 32 raw private bytes: for a file readable by its owner only, never for the wire.
    public var privateKeyBytes: [UInt8] { Array(key.rawRepresentation) }
}
