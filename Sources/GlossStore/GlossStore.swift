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
    let database: DatabasePool

    /// Opens an existing store, upgrading its schema if it is older than this build.
    public static func open(at path: String) throws(GlossStoreError) -> GlossStore {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GlossStoreError(.noStore, "no store at \(path) (create one with 'gloss init')")
        }
        guard !isDirectory.boolValue else { throw GlossStoreError(.notAGlossStore, "\(path) is a directory, not a store") }
        let directory = (path as NSString).deletingLastPathComponent
        guard fileManager.isWritableFile(atPath: path), fileManager.isWritableFile(atPath: directory.isEmpty ? "." : directory) else {
            throw GlossStoreError(.notWritable, "the store at \(path) is not writable")
        }
        let database = try connect(path)
        do {
            let identity = try database.write { db in
                guard try db.tableExists("meta") else {
                    throw GlossStoreError(.notAGlossStore, "\(path) is not a Gloss store")
                }
                let applied = try Schema.migrator.appliedIdentifiers(db)
                if let unknown = applied.subtracting(Schema.migrations).first {
                    throw GlossStoreError(.newerSchema, "the store at \(path) was written by a newer gloss (schema \(unknown))")
                }
                return try StoreIdentity.read(db)
            }
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
    public static func create(at path: String, storeID: StoreID? = nil, name: String?, key: ReplicaKey = ReplicaKey()) throws(GlossStoreError) -> GlossStore {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: path) else {
            throw GlossStoreError(.storeExists, "a store already exists at \(path)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            throw GlossStoreError(.notWritable, "cannot create the folder \(directory): \(describe(error))")
        }
        let descriptor = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            throw GlossStoreError(.notWritable, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        do {
            let database = try connect(path)
            try Schema.migrator.migrate(database)
            let identity = StoreIdentity(storeID: storeID ?? randomID(), replicaID: key.replicaID, name: name)
            try database.write { db in try identity.write(db, signingKey: key.privateKeyBytes) }
            return GlossStore(path: path, identity: identity, database: database)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: path + suffix) }
            if let error = error as? GlossStoreError { throw error }
            throw GlossStoreError(.notWritable, "cannot create a store at \(path): \(describe(error))")
        }
    }

    private init(path: String, identity: StoreIdentity, database: DatabasePool) {
        self.path = path
        self.identity = identity
        self.database = database
    }

    /// WAL for readers beside a writer, a busy timeout so a concurrent writer waits instead of
    /// failing, and `synchronous = FULL`: a committed note survives power loss, not only a crash.
    private static func connect(_ path: String) throws(GlossStoreError) -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw GlossStoreError(.notAGlossStore, "cannot open \(path): \(describe(error))")
        }
    }

    static func randomID() -> ID128 {
        var generator = SystemRandomNumberGenerator()
        return ID128(high: generator.next(), low: generator.next())
    }

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
            throw GlossStoreError(error.code == .notReady ? .missingPredecessors : .invalidChange, error.message)
        } catch {
            throw GlossStoreError(.notWritable, "the store at \(path) failed: \(Self.describe(error))")
        }
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
        _ = try ReplicaTable.ordinal(of: replicaID, in: db)
    }
}

/// A replica's Ed25519 signing key, and the replica id derived from it (SPEC §4.1). Made before
/// the store when cloning over the network: the HELLO announces the id before the store exists.
public struct ReplicaKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init() { key = Curve25519.Signing.PrivateKey() }

    public var replicaID: ReplicaID { ID128.derived(fromPublicKey: Array(key.publicKey.rawRepresentation)) }

    var privateKeyBytes: [UInt8] { Array(key.rawRepresentation) }
}
