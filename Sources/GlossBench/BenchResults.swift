import Foundation

/// One `gloss-bench` run, in the peers' harness's keys where a measure has one
/// (`shared/bench/peer_bench.py`), so a script can set Gloss beside Loro and Yrs without reading
/// tables: `gloss-bench --json` prints it as one object; without `--json` it is the tables.
///
/// Gloss's full sync is one wall time (a `gloss serve` and a `gloss clone`, durable on the
/// clone), where the peers split theirs into encode and apply in memory: compare `full_sync_s`
/// with their `full_encode_s + full_apply_s`.
struct BenchResults: Encodable {
    struct PeakMemory: Encodable {
        /// The serving side (A) and the cloning side (B), MB (VmHWM).
        let a: Double
        let b: Double
    }

    /// One incremental round: the same fields written on both sides, then one session.
    struct Round: Encodable {
        let ops: Int
        let editS: Double
        /// The whole session, both directions, durable on both sides (the peers' `encode_s +
        /// apply_ab_s + apply_ba_s`).
        let sessionS: Double
        let bytesAB: Int
        let bytesBA: Int
        let converged: Bool
        let aWins: Int
        let bWins: Int

        enum CodingKeys: String, CodingKey {
            case ops, converged
            case editS = "edit_s"
            case sessionS = "session_s"
            case bytesAB = "bytes_ab"
            case bytesBA = "bytes_ba"
            case aWins = "a_wins"
            case bWins = "b_wins"
        }
    }

    let lib = "gloss"
    let version: String
    let ops: Int
    /// Every change its own durable transaction (`synchronous=FULL`).
    let editS: Double
    /// The changes those local edits made (one per article, annotation and update).
    let localChanges: Int
    /// One durable commit of one row alone, same settings, same run (`CommitFloor`), µs.
    let commitFloorMicroseconds: Double
    let fullSyncS: Double
    /// Bytes on the wire A → B in the full sync, and B → A.
    let fullBytes: Int
    let fullBytesBA: Int
    let peakRSSMB: PeakMemory
    /// A's store file after the edits (with its WAL).
    let storeBytes: Int
    let stateSHA256: String
    /// A and B hold the same digest after the full sync, and, at the default sizes and seed,
    /// B's state hashes to PEERS.md's reference (other sizes have no reference to check).
    let fullSyncOK: Bool
    let signing: SigningCost.Summary
    let incr: [Round]
    /// A session between A and B when both already hold everything, in process over loopback
    /// TLS (handshake included): the median of `inSyncSessions`, seconds.
    let inSyncS: Double
    let inSyncSessions: Int
    let processStart: ProcessStart

    enum CodingKeys: String, CodingKey {
        case lib, version, ops, signing, incr
        case processStart = "process_start"
        case inSyncS = "in_sync_s"
        case inSyncSessions = "in_sync_sessions"
        case editS = "edit_s"
        case localChanges = "local_changes"
        case commitFloorMicroseconds = "commit_floor_us"
        case fullSyncS = "full_sync_s"
        case fullBytes = "full_bytes"
        case fullBytesBA = "full_bytes_ba"
        case peakRSSMB = "peak_rss_mb"
        case storeBytes = "store_bytes"
        case stateSHA256 = "state_sha256"
        case fullSyncOK = "full_sync_ok"
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The tables, for a person.
    func markdown(seed: Int, matchesReference: Bool?) -> String {
        func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        let perOp = { (bytes: Int) in fixed(Double(bytes) / Double(ops), 1) }
        let reference = matchesReference.map { $0 ? " (matches PEERS.md)" : " (DIFFERS from PEERS.md)" } ?? ""
        let rounds = incr.enumerated().map { number, round in
            let bytesPerOp = fixed(Double(round.bytesBA + round.bytesAB) / Double(2 * round.ops), 1)
            return
                "| gloss | \(number + 1) | \(round.ops) | \(fixed(round.editS * 1000, 1)) | \(fixed(round.sessionS * 1000, 1)) | \(round.bytesBA) / \(round.bytesAB) (\(bytesPerOp)) | \(round.converged ? "yes" : "NO") | \(round.aWins) / \(round.bWins) |"
        }
        let startRatios =
            processStart.sqliteInsertMS.map { ": \(fixed(processStart.versionMS / $0))× and \(fixed(processStart.editMS / $0))× sqlite3's" }
            ?? ""
        return """

            ## Gloss on the peer workload (\(ops) ops, seed \(seed))

            | measure | value |
            | --- | --- |
            | local edits: one change per article/annotation/update, each its own transaction | \(fixed(editS)) s (\(fixed(editS * 1e6 / Double(ops))) µs/op) |
            | a local edit against a durable commit alone (same settings, same run) | \(fixed(editS * 1e6 / Double(localChanges), 0)) µs / \(fixed(commitFloorMicroseconds, 0)) µs = \(fixed(editS * 1e6 / Double(localChanges) / commitFloorMicroseconds, 1))× |
            | full sync A → empty B over loopback TCP (gloss serve + gloss clone, wall) | \(fixed(fullSyncS)) s |
            | bytes on the wire A → B (B/op) | \(fullBytes) (\(perOp(fullBytes))); B → A \(fullBytesBA) |
            | peak RSS (VmHWM): server A / client B | \(fixed(peakRSSMB.a, 0)) MB / \(fixed(peakRSSMB.b, 0)) MB |
            | store file A after the edits (B/op) | \(storeBytes) (\(perOp(storeBytes))) |
            | signatures in the full sync: checkpoint-table bytes (B/op), batches | \(signing.bytes) (\(fixed(Double(signing.bytes) / Double(ops)))), \(signing.batches) |
            | checking them on the receiver (chain hash per change, a verify per author per batch), share of the full sync | \(fixed(signing.verifyingS)) s (\(fixed(100 * signing.verifyingS / fullSyncS, 1)) %) |
            | chain hash per local commit | \(fixed(signing.chainingMicrosecondsPerChange)) µs a change (\(fixed(100 * signing.chainingS / editS, 1)) % of local edits) |
            | A and B digests equal after the full sync, B's state the workload's | \(fullSyncOK ? "yes" : "NO") |
            | workload state SHA-256 from B | \(stateSHA256)\(reference) |
            | a sync when already in sync (in process, TLS handshake included), median of \(inSyncSessions) | \(fixed(inSyncS * 1000, 1)) ms |
            | process start to exit: `gloss --version` / `gloss edit` / sqlite3's one durable insert, medians | \(fixed(processStart.versionMS, 1)) / \(fixed(processStart.editMS, 1)) / \(processStart.sqliteInsertMS.map { fixed($0, 1) } ?? "no sqlite3") ms\(startRatios) |

            | library | round | ops per side | local edits ms (both) | session ms (both directions) | bytes B→A / A→B (B/op) | converged | winner A / B |
            | --- | --- | --- | --- | --- | --- | --- | --- |
            \(rounds.joined(separator: "\n"))
            """
    }
}

extension SigningCost {
    /// What the results carry of the signing measure.
    struct Summary: Encodable {
        let bytes: Int
        let batches: Int
        let verifyingS: Double
        let chainingS: Double
        let chainingMicrosecondsPerChange: Double

        enum CodingKeys: String, CodingKey {
            case bytes, batches
            case verifyingS = "verifying_s"
            case chainingS = "chaining_s"
            case chainingMicrosecondsPerChange = "chaining_us_per_change"
        }
    }

    var summary: Summary {
        Summary(
            bytes: signedBytes - unsignedBytes, batches: batches, verifyingS: verifying.inSeconds, chainingS: chaining.inSeconds,
            chainingMicrosecondsPerChange: changes == 0 ? 0 : chaining.inSeconds * 1e6 / Double(changes))
    }
}
