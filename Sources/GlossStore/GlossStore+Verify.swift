import Foundation
import GRDB
import GlossCore

/// `gloss verify` and `gloss backup`: checking a store end to end, and copying it while others
/// write.
extension GlossStore {
    /// What `verify` found; `problems` is empty for a sound store.
    public struct Verification: Sendable {
        public var changes = 0
        public var authors = 0
        public var digest: [UInt8] = []
        public var problems: [String] = []
    }

    /// Checks the file (`PRAGMA integrity_check`), every author's signatures over the whole log
    /// (SPEC §6.6), and that replaying the log through the merge rules gives the state the
    /// store holds: its rows, the hash kept beside each, and the digest kept from them. Reads the
    /// whole log into memory.
    public func verify() throws(GlossStoreError) -> Verification {
        var result = Verification()
        let integrity = try integrityCheck()
        if integrity != "ok" { result.problems.append("the SQLite file is damaged: \(integrity)") }
        let signed = try signedChanges()
        result.changes = signed.changes.count
        result.authors = Set(signed.changes.map(\.id.replica)).count
        do {
            _ = try signed.verify(store: identity.storeID)
        } catch {
            result.problems.append("the signatures do not hold: \(error.message)")
        }
        var replayed = ReplicaState()
        for change in signed.changes {
            do {
                _ = try replayed.apply(change)
            } catch {
                result.problems.append("replaying the log failed at change \(change.id): \(error.message)")
                break
            }
        }
        // The rows, the kept digest and the hashes beside the rows, from one snapshot.
        let (rows, stored, summed) = try access {
            try database.read { db in
                let (articles, annotations) = try EntityRows.load(nil, in: db)
                let rows = ReplicaState(clock: try ChangeRows.clock(in: db), articles: articles, annotations: annotations)
                return (rows, try StateSumRow.read(in: db).digest, try StateSumRow.recomputed(in: db).digest)
            }
        }
        let rowsDigest = StateDigest.of(rows)
        result.digest = stored
        if replayed.clock != rows.clock { result.problems.append("the version vector does not match the log") }
        if StateDigest.of(replayed) != rowsDigest { result.problems.append("the stored state differs from the state the log gives") }
        if rowsDigest != stored { result.problems.append("the stored state digest differs from the stored state") }
        if summed != stored { result.problems.append("the stored entity hashes differ from the stored state digest") }
        let conflicts = rows.conflicts
        let (counted, conflicted) = (try conflictCount(), try conflictedEntities())
        if counted != conflicts.count || conflicted != Set(conflicts.map(\.entity)) {
            result.problems.append("the stored conflict counts differ from the stored state")
        }
        return result
    }

    /// A consistent copy of the store at `path`, taken with SQLite's online backup while other
    /// processes read and write: written beside `path` and moved there whole, readable by its
    /// owner only. Refused if anything is at `path`.
    ///
    /// A copy put back in place of the store later is a restored store: at its first sync it
    /// finds out and takes a new replica id (SPEC §4.10), so it never reuses one.
    public func backup(to path: String) throws(GlossStoreError) {
        if let occupied = Self.whatOccupies(path) { throw occupied }
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\((path as NSString).lastPathComponent).gloss-backup-\(getpid())"
        let descriptor = Foundation.open(temporary, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            throw GlossStoreError(.notWritable, "cannot write \(path): \(String(cString: strerror(errno)).lowercased())")
        }
        close(descriptor)
        defer { for suffix in ["", "-wal", "-shm"] { unlink(temporary + suffix) } }
        try access {
            let copy = try DatabaseQueue(path: temporary)
            try database.backup(to: copy)
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try copy.close()
        }
        let handle = Foundation.open(temporary, O_RDONLY)
        if handle >= 0 {
            fsync(handle)
            close(handle)
        }
        if link(temporary, path) != 0 {
            let error = errno
            if error == EEXIST { throw Self.whatOccupies(path) ?? GlossStoreError(.storeExists, "something appeared at \(path)") }
            guard rename(temporary, path) == 0 else {
                throw GlossStoreError(.notWritable, "cannot write \(path): \(String(cString: strerror(error)).lowercased())")
            }
        }
    }
}
