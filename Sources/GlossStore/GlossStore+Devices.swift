import Foundation
import GRDB
import GlossCore

/// What a device may do with this replica's store, decided by this replica's owner. Roles are
/// local: they are never synced, so each replica keeps its own allowlist.
public enum DeviceRole: String, Hashable, Sendable, CaseIterable {
    /// Pulls and pushes changes.
    case readWrite = "read-write"
    /// Pulls changes; every change it sends is refused.
    case readOnly = "read-only"
    /// Refused, and its attempts are not logged or listed as pending.
    case ignored
    /// Refused from now on, including in a session already open.
    case revoked

    /// True for the roles that may connect at all.
    public var maySync: Bool { self == .readWrite || self == .readOnly }
}

/// A device on the allowlist, as `gloss devices` lists it.
public struct DeviceRecord: Hashable, Sendable {
    public let replicaID: ReplicaID
    public let name: String?
    public let role: DeviceRole
    /// Wall-clock milliseconds when the role was last set.
    public let changed: UInt64
    /// The last session with it, and where it came from or was reached.
    public let lastSeen: UInt64?
    public let address: String?
}

/// An unknown device that tried to sync, as `gloss pending` lists it.
public struct PendingDevice: Hashable, Sendable {
    public let replicaID: ReplicaID
    /// The name its HELLO gave: its own claim, shown to help recognise it, never trusted.
    public let name: String
    public let address: String
    public let firstAttempt: UInt64
    public let lastAttempt: UInt64
    public let attempts: Int
}

extension GlossStore {
    /// How many unknown devices `pending` keeps (the most recent), and for how long.
    public static let pendingLimit = 100
    public static let pendingLifetime: UInt64 = 30 * 24 * 3600 * 1000

    /// The role of a device, or nil for one this replica does not know.
    public func role(of replica: ReplicaID) throws(GlossStoreError) -> DeviceRole? {
        try access {
            try database.read { db in
                try String.fetchOne(db, sql: "SELECT role FROM device WHERE replica = ?", arguments: [Data(replica.bytes)])
                    .flatMap(DeviceRole.init(rawValue:))
            }
        }
    }

    /// Sets a device's role (trust, revoke, ignore), keeping its name unless a new one is given,
    /// and takes it off the pending list.
    public func setRole(_ role: DeviceRole, of replica: ReplicaID, name: String? = nil, time: UInt64) throws(GlossStoreError) {
        try access {
            try database.write { db in
                let key = Data(replica.bytes)
                let pendingName = try String.fetchOne(db, sql: "SELECT name FROM pending_device WHERE replica = ?", arguments: [key])
                try db.execute(
                    sql: """
                        INSERT INTO device (replica, name, role, changed) VALUES (?, ?, ?, ?)
                        ON CONFLICT (replica) DO UPDATE SET role = excluded.role, changed = excluded.changed,
                            name = coalesce(?, device.name)
                        """,
                    arguments: [key, name ?? pendingName.flatMap { $0.isEmpty ? nil : $0 }, role.rawValue, Int64(time), name])
                try db.execute(sql: "DELETE FROM pending_device WHERE replica = ?", arguments: [key])
            }
        }
    }

    /// Every device on the allowlist, by name then id.
    public func devices() throws(GlossStoreError) -> [DeviceRecord] {
        try access {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM device ORDER BY name IS NULL, name, replica").map { row in
                    let replica: Data = row["replica"]
                    let lastSeen: Int64? = row["last_seen"]
                    return DeviceRecord(
                        replicaID: ID128(bytes: replica)!, name: row["name"], role: DeviceRole(rawValue: row["role"]) ?? .revoked,
                        changed: UInt64(max(0, row["changed"] as Int64)), lastSeen: lastSeen.map { UInt64(max(0, $0)) },
                        address: row["address"])
                }
            }
        }
    }

    /// Records an attempt by an unknown device, keeping the list bounded: entries older than
    /// `pendingLifetime` go, and past `pendingLimit` the least recent go. Returns the number of
    /// attempts that device has made so far.
    @discardableResult
    public func recordPendingAttempt(_ replica: ReplicaID, name: String, address: String, time: UInt64) throws(GlossStoreError) -> Int {
        try access {
            try database.write { db in
                let key = Data(replica.bytes)
                try db.execute(
                    sql: """
                        INSERT INTO pending_device (replica, name, address, first_attempt, last_attempt, attempts)
                        VALUES (?, ?, ?, ?, ?, 1)
                        ON CONFLICT (replica) DO UPDATE SET name = excluded.name, address = excluded.address,
                            last_attempt = excluded.last_attempt, attempts = pending_device.attempts + 1
                        """,
                    arguments: [key, name, address, Int64(time), Int64(time)])
                try db.execute(
                    sql: "DELETE FROM pending_device WHERE last_attempt < ?",
                    arguments: [Int64(time) - Int64(Self.pendingLifetime)])
                try db.execute(
                    sql: """
                        DELETE FROM pending_device WHERE replica NOT IN
                            (SELECT replica FROM pending_device ORDER BY last_attempt DESC LIMIT ?)
                        """,
                    arguments: [Self.pendingLimit])
                return try Int.fetchOne(db, sql: "SELECT attempts FROM pending_device WHERE replica = ?", arguments: [key]) ?? 1
            }
        }
    }

    /// The unknown devices that tried to sync within `pendingLifetime` of `now`, most recent first.
    public func pendingDevices(now: UInt64) throws(GlossStoreError) -> [PendingDevice] {
        try access {
            try database.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM pending_device WHERE last_attempt >= ? ORDER BY last_attempt DESC",
                    arguments: [Int64(now) - Int64(Self.pendingLifetime)]
                ).map { row in
                    let replica: Data = row["replica"]
                    return PendingDevice(
                        replicaID: ID128(bytes: replica)!, name: row["name"], address: row["address"],
                        firstAttempt: UInt64(max(0, row["first_attempt"] as Int64)),
                        lastAttempt: UInt64(max(0, row["last_attempt"] as Int64)), attempts: row["attempts"])
                }
            }
        }
    }

    static func requireReadWrite(_ device: ReplicaID, in db: Database) throws {
        let role = try String.fetchOne(db, sql: "SELECT role FROM device WHERE replica = ?", arguments: [Data(device.bytes)])
            .flatMap(DeviceRole.init(rawValue:))
        switch role {
        case .readWrite: return
        case .readOnly:
            throw GlossStoreError(.notPermitted, "device \(DeviceID(device)) may only pull from this replica; no change was applied")
        default:
            throw GlossStoreError(.notTrusted, "device \(DeviceID(device)) is no longer trusted by this replica; no change was applied")
        }
    }

    /// The replica's own Ed25519 key: its TLS identity (SPEC §11.2). Readable by the owner only.
    public func replicaKey() throws(GlossStoreError) -> ReplicaKey {
        try access {
            try database.read { db in
                guard let raw = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'signing-key'"),
                    let key = ReplicaKey(privateKeyBytes: raw)
                else { throw GlossStoreError(.notAGlossStore, "the store at \(path) has no signing key") }
                return key
            }
        }
    }
}
