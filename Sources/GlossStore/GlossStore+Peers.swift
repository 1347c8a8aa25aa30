import Foundation
import GRDB
import GlossCore

/// A replica this one has synced with, as `gloss peers` lists it.
public struct PeerRecord: Hashable, Sendable {
    public let replicaID: ReplicaID
    public let name: String
    /// Where it was reached, or where it connected from.
    public let address: String
    /// Wall-clock milliseconds of the last completed session.
    public let lastSync: UInt64
    /// What it held at the end of that session.
    public let clock: VersionVector
    /// Changes sent to it and received from it in that session.
    public let sent: Int
    public let received: Int

    public init(replicaID: ReplicaID, name: String, address: String, lastSync: UInt64, clock: VersionVector, sent: Int, received: Int) {
        self.replicaID = replicaID
        self.name = name
        self.address = address
        self.lastSync = lastSync
        self.clock = clock
        self.sent = sent
        self.received = received
    }
}

extension GlossStore {
    /// Remembers a completed session with a peer (replacing the previous record), the peer's
    /// name for display beside its id, and, for a device on the allowlist, when and where it was
    /// last seen: one transaction.
    public func recordPeer(_ peer: PeerRecord) throws(GlossStoreError) {
        try access {
            try database.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO peer (replica, name, address, last_sync, clock, sent, received) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        Data(peer.replicaID.bytes), peer.name, peer.address, Int64(bitPattern: peer.lastSync),
                        peer.clock.storedBlob, peer.sent, peer.received,
                    ])
                // On the allowlist too, if it is there: when and where it was last seen.
                try db.execute(
                    sql: "UPDATE device SET last_seen = ?, address = ? WHERE replica = ?",
                    arguments: [Int64(bitPattern: peer.lastSync), peer.address, Data(peer.replicaID.bytes)])
                if !peer.name.isEmpty {
                    _ = try ReplicaOrdinals.ordinal(of: peer.replicaID, in: db)
                    try db.execute(sql: "UPDATE replica SET name = ? WHERE id = ?", arguments: [peer.name, Data(peer.replicaID.bytes)])
                }
            }
        }
    }

    /// Every peer, most recently synced first.
    public func peers() throws(GlossStoreError) -> [PeerRecord] {
        try access {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM peer ORDER BY last_sync DESC").map { row in
                    let replica: Data = row["replica"]
                    let clock: Data = row["clock"]
                    return PeerRecord(
                        replicaID: ID128(bytes: replica)!, name: row["name"], address: row["address"],
                        lastSync: UInt64(bitPattern: row["last_sync"]), clock: VersionVector(storedBlob: clock),
                        sent: row["sent"], received: row["received"]
                    )
                }
            }
        }
    }

    /// Remembers why the latest sync attempt with `address` failed (replacing the one before).
    public func recordSyncFailure(address: String, message: String, time: UInt64) throws(GlossStoreError) {
        try access {
            try database.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO sync_failure (address, time, message) VALUES (?, ?, ?)",
                    arguments: [address, Int64(bitPattern: time), message])
            }
        }
    }

    /// The latest failed attempt with each address: when (wall-clock milliseconds) and why.
    public func syncFailures() throws(GlossStoreError) -> [String: (time: UInt64, message: String)] {
        try access {
            try database.read { db in
                var failures: [String: (time: UInt64, message: String)] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT address, time, message FROM sync_failure") {
                    failures[row["address"]] = (UInt64(bitPattern: row["time"]), row["message"])
                }
                return failures
            }
        }
    }
}

extension GlossStore {
    /// The server `gloss sync` uses when given none (like git's origin): the one this replica
    /// was cloned from, unless changed. Nil when there is none.
    public func remote() throws(GlossStoreError) -> String? {
        try access {
            try database.read { db in
                try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'remote'").map { String(decoding: $0, as: UTF8.self) }
            }
        }
    }

    /// Sets (or, with nil, forgets) the default server.
    public func setRemote(_ address: String?) throws(GlossStoreError) {
        try access {
            try database.write { db in
                if let address {
                    try db.execute(
                        sql: "INSERT INTO meta (key, value) VALUES ('remote', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        arguments: [Data(address.utf8)])
                } else {
                    try db.execute(sql: "DELETE FROM meta WHERE key = 'remote'")
                }
            }
        }
    }
}
