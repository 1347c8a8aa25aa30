import ArgumentParser
import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve sync sessions for this store until interrupted.",
        discussion: """
            Listens on 127.0.0.1:\(SyncProtocol.defaultPort) unless --listen says otherwise (port 0 picks a free \
            port). Prints the address it listens on, then one line per session. Sessions run inside \
            mutual TLS 1.3: only devices this replica trusts ('gloss trust') learn anything of the \
            store; an unknown device is refused, logged, and listed by 'gloss pending'.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: ArgumentHelp("Where to listen.", valueName: "host:port")) var listen = "127.0.0.1:\(SyncProtocol.defaultPort)"

    func run() async throws {
        guard let endpoint = SyncEndpoint(parsing: listen) else {
            throw CLIError("--listen takes HOST:PORT, e.g. 127.0.0.1:\(SyncProtocol.defaultPort)")
        }
        let store = try storeOptions.open(access: .serve)
        let server: SyncServer
        do {
            server = try await SyncServer.bind(store: store, to: endpoint) { line in
                print("\(formatTime(currentTime())) \(Terminal.singleLine(line))")
                fflush(nil)  // a log read while the server runs
            }
        } catch {
            throw CLIError("cannot listen on \(endpoint): \(NetworkErrorText.listening(error))")
        }
        print(
            "listening on \(SyncEndpoint(host: endpoint.host, port: server.port)) for store \(store.identity.storeID.hex) as device \(DeviceID(store.identity.replicaID))"
        )
        fflush(nil)
        try await server.run()
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Exchange changes with a server, both ways, retrying through a bad link.",
        discussion: """
            Exits 0 when both replicas hold the union of their changes (a device that is read-only \
            on the server only pulls). The server must prove a device key this replica trusts \
            read-write: the one it was cloned from, one added with 'gloss trust', or, for a first \
            contact, exactly the one named by --expect (then trusted from now on).

            A dropped or stalled connection, or a server that is down or busy, is tried again \
            until --timeout; a server that refuses this device is not. With --every, it keeps \
            running and syncs as notes are written.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var retry: RetryOptions
    @Argument(help: ArgumentHelp("The server; by default the one this replica was cloned from ('gloss remote').", valueName: "host:port"))
    var server: String?
    @Option(help: ArgumentHelp("The server's device id, for a first contact.", valueName: "device")) var expect: String?

    @Option(
        help: ArgumentHelp(
            "Keep running: sync on this period, and as soon as this replica has new changes; one line per change of state.",
            valueName: "duration"))
    var every: TimeSpan?

    func validate() throws {
        if let every, every.seconds < 1 { throw ValidationError("--every must be at least 1s") }
    }

    func run() async throws {
        var store = try storeOptions.open()
        guard let address = try server ?? reportingErrors({ try store.remote() }) else {
            throw CLIError("name the server (gloss sync HOST:PORT): this replica has no default one ('gloss remote HOST:PORT' sets it)")
        }
        let endpoint = try parseEndpoint(address)
        let expected = try expect.map { try DeviceArgument.replicaID($0, in: store, allowingPrefix: false) }
        let trusted: Set<ReplicaID>
        if let expected {
            // A first contact talks to exactly that device, and never overrides a refusal.
            let role = try reportingErrors { try store.role(of: expected) }
            if let role, role != .readWrite {
                throw CLIError(
                    "device \(DeviceID(expected)) is \(role.rawValue) here, and this replica takes changes only from read-write devices; 'gloss trust \(DeviceID(expected)) --role read-write' first if you mean to sync with it"
                )
            }
            trusted = [expected]
        } else {
            trusted = try trustedServers(store)
        }
        if let every {
            var watch = SyncWatch(endpoint: endpoint, trusted: trusted, expected: expected, period: every, json: output.json)
            return try await watch.run(store: &store, retry: retry)
        }
        let before = try reportingErrors { try store.conflictCount() }
        let run = try await syncOnce(
            &store, endpoint: endpoint, trusting: trusted, expected: expected, json: output.json, retry: retry)
        let after = try reportingErrors { try store.conflictCount() }
        try printSummary(run, conflicts: after, newConflicts: after - before, json: output.json)
    }
}

/// One `gloss sync`: a session (retried through network failures), then what it may call for:
/// a new id for a restored store (`store` is then the store reopened as it), the end of that
/// recovery, and trust in an `--expect`ed server once it has been met.
func syncOnce(
    _ store: inout GlossStore, endpoint: SyncEndpoint, trusting trusted: Set<ReplicaID>, expected: ReplicaID?, json: Bool,
    retry: RetryOptions
) async throws -> SyncRun {
    let current = store
    var run = try await runSession(
        SyncReplica(store: store), endpoint: endpoint, trusting: trusted, json: json, retry: retry,
        roles: { try? current.role(of: $0) })
    if let server = run.report.restoredBy {
        store = try takeNewID(store, server: server)
        run = run.then(try await runSession(SyncReplica(store: store), endpoint: endpoint, trusting: trusted, json: json, retry: retry))
        if run.report.restoredBy != nil {
            throw CLIError("sync with \(endpoint) failed: the server still holds changes under this replica's new id; nothing was sent")
        }
    }
    if let pending = try reportingErrors({ try store.recovery() }), !pending.isComplete {
        Terminal.note(
            "This store is taking a new id after a restore: \(endpoint) did not hold its old id's history as far as the server that showed it; sync with that server to finish."
        )
    } else if try reportingErrors({ try store.recovery() }) != nil, let recovery = try reportingErrors({ try store.finishRecovery() }) {
        if recovery.reissued > 0 {
            // The re-issued changes were written while the session received: send them now.
            run = run.then(try await runSession(SyncReplica(store: store), endpoint: endpoint, trusting: trusted, json: json, retry: retry))
        }
        Terminal.note(
            "This store was restored from a backup or copied: the server held changes under its id (\(DeviceID(recovery.oldReplicaID))) that it lacked. It now writes as device \(DeviceID(store.identity.replicaID)), which the server trusts as it did the old one; \(counted(recovery.reissued, "change")) it wrote under the old id \(recovery.reissued == 1 ? "was" : "were") re-issued under the new one, and the old id's history was fetched."
        )
    }
    if let expected, try reportingErrors({ try store.role(of: expected) }) == nil {
        let name = run.report.outcome?.peer.name
        try reportingErrors { try store.setRole(.readWrite, of: expected, name: name, time: currentTime()) }
    }
    return run
}

struct Peers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "List the replicas this one has synced with, when, what each held, and the last error.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Listed: Encodable {
        let replica: String?
        let name: String?
        let address: String
        let lastSync: String?
        let clock: [String: UInt64]?
        let sent: Int?
        let received: Int?
        /// The latest failed attempt with this address since its last sync, if any.
        let lastError: Failure?

        struct Failure: Encodable {
            let time: String
            let message: String
        }

        enum CodingKeys: String, CodingKey {
            case replica, name, address, clock, sent, received
            case lastSync = "last_sync"
            case lastError = "last_error"
        }
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        let peers = try reportingErrors { try store.peers() }
        var failures = try reportingErrors { try store.syncFailures() }
        // A failure older than the peer's last sync is over; one at an address no sync ever
        // completed with is listed on its own, after the peers.
        var listed: [Listed] = peers.map { peer in
            let failure = failures.removeValue(forKey: peer.address).flatMap { $0.time >= peer.lastSync ? $0 : nil }
            return Listed(
                replica: peer.replicaID.hex, name: peer.name, address: peer.address, lastSync: formatTime(peer.lastSync),
                clock: clockJSON(peer.clock), sent: peer.sent, received: peer.received,
                lastError: failure.map { Listed.Failure(time: formatTime($0.time), message: $0.message) })
        }
        let known = Set(peers.map(\.address))
        listed += failures.filter { !known.contains($0.key) }.sorted { $0.value.time > $1.value.time }.map { address, failure in
            Listed(
                replica: nil, name: nil, address: address, lastSync: nil, clock: nil, sent: nil, received: nil,
                lastError: Listed.Failure(time: formatTime(failure.time), message: failure.message))
        }
        if output.json { return try printJSON(listed) }
        if listed.isEmpty { Terminal.note("No peers yet: 'gloss sync HOST:PORT' syncs with one.") }
        for (peer, entry) in zip(peers.map(Optional.some) + Array(repeating: nil, count: listed.count - peers.count), listed) {
            if let peer {
                let name = peer.name.isEmpty ? "" : " (\(Terminal.singleLine(peer.name)))"
                print(
                    "\(peer.replicaID.hex)\(name)  at \(Terminal.singleLine(peer.address))  last synced \(formatTime(peer.lastSync))  holding \(counted(Int(peer.clock.total), "change"))"
                )
            } else {
                print("\(Terminal.singleLine(entry.address))  never synced")
            }
            if let failure = entry.lastError {
                print("    last error \(failure.time): \(Terminal.singleLine(failure.message))")
            }
        }
    }
}

/// A store the server showed was restored from a backup or copied takes a new replica id, and
/// is opened again as it (SPEC §4.10). The old id's history up to what this server held at the
/// last sync is known to be shared; the next session settles the rest.
func takeNewID(_ store: GlossStore, server: SyncMessage.Hello) throws -> GlossStore {
    let old = store.identity.replicaID
    let recorded = try reportingErrors { try store.peers() }.first { $0.replicaID == server.replicaID }?.clock[old] ?? 0
    _ = try reportingErrors { try store.beginRecovery(sharedUpTo: min(recorded, server.clock[old]), serverHeld: server.clock[old]) }
    return try reportingErrors { try GlossStore.open(at: store.path) }
}

func parseEndpoint(_ text: String) throws -> SyncEndpoint {
    if let scheme = text.range(of: "://") {
        let rest = text[scheme.upperBound...].prefix { $0 != "/" }
        throw CLIError("'\(Terminal.singleLine(text))' is a URL; gloss takes HOST:PORT (here '\(Terminal.singleLine(String(rest)))')")
    }
    guard let endpoint = SyncEndpoint(parsing: text) else {
        throw CLIError("'\(Terminal.singleLine(text))' is not HOST:PORT (for example hub.example.org:\(SyncProtocol.defaultPort))")
    }
    return endpoint
}

/// The servers a client may sync with: the devices it trusts read-write. A read-only device may
/// pull from this replica, but its changes are refused, so it is never trusted as a server.
func trustedServers(_ store: GlossStore) throws -> Set<ReplicaID> {
    Set(try reportingErrors { try store.devices() }.filter { $0.role == .readWrite }.map(\.replicaID))
}

/// Runs client sessions until one completes, retrying network failures until `retry.timeout`
/// (`RetryLoop`); any other failure, or the last network one, becomes one line naming the server.
///
/// `roles` looks up what this replica thinks of a device, to explain a refused server key.
func runSession(
    _ replica: SyncReplica, endpoint: SyncEndpoint, trusting trusted: Set<ReplicaID>, json: Bool, retry: RetryOptions,
    roles: (ReplicaID) -> DeviceRole? = { _ in nil }
) async throws -> SyncRun {
    let line = !json && isatty(STDERR_FILENO) == 1 ? SyncProgressLine() : nil
    var loop = RetryLoop(timeout: retry.timeout)
    // `--timeout` bounds the attempt under way too, not only whether another starts.
    var limits = retry.limits
    limits.deadline = loop.attemptDeadline
    var lastFailure: String?
    // What a session cut short learned of the link: the next starts at that batch size.
    var learned: (budget: Int, compressionRatio: Double)?
    // Each failed attempt's reason, kept for 'gloss peers' even if the command is interrupted.
    let remember = { (why: String) in
        try? replica.createdStore?.recordSyncFailure(address: endpoint.description, message: why, time: currentTime())
    }
    while true {
        loop.starting()
        line?.attempting(loop.attempts, after: lastFailure)
        do {
            let report = try await attemptSession(
                replica, endpoint: endpoint, trusting: trusted, limits: limits, learned: learned, progress: line, roles: roles)
            return SyncRun(completed: report, loop: loop)
        } catch let error as CLIError {
            remember(error.message)
            if line != nil { Terminal.progress(nil) }  // the error gets a line of its own
            throw error
        } catch let failure as NetworkFailure {
            remember(failure.reason)
            let report = failure.report
            learned = report?.learned ?? learned
            if let lost = learned, (report?.unacknowledgedBatchBytes ?? 0) > 0 {
                // A batch was cut off: the link's windows are shorter than that batch. Halve.
                learned = (lost.budget / 2, lost.compressionRatio)
            }
            let moved = RetryLoop.madeProgress(report)
            guard let wait = loop.failed(report) else {
                if line != nil { Terminal.progress(nil) }
                let tries = loop.attempts == 1 ? "" : " (\(loop.attempts) attempts in \(Int(loop.seconds)) s)"
                var reason = loop.timedOut ? "\(failure.reason) (--timeout \(retry.timeout))" : failure.reason
                if loop.timedOut, moved {
                    // Cut while changes were moving: they are kept, and the next run goes on.
                    reason += "; what moved is kept: run it again to go on, or give a longer --timeout"
                }
                let error = CLIError("sync with \(endpoint) failed\(tries): \(reason)", networkFailure: reason)
                remember(error.message)
                throw error
            }
            lastFailure = failure.reason
            if line != nil {
                Terminal.progress(
                    SyncProgressLine.fitted(
                        "attempt \(loop.attempts) failed: \(Terminal.singleLine(failure.reason)); trying again in \(Int(wait.rounded(.up))) s…"
                    ))
            }
            try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
        }
    }
}

/// One client session; a network failure is thrown as `NetworkFailure`, anything else as a
/// `CLIError` naming the server. `progress` is the line redrawn on a terminal.
func attemptSession(
    _ replica: SyncReplica, endpoint: SyncEndpoint, trusting trusted: Set<ReplicaID>, limits: SyncLimits,
    learned: (budget: Int, compressionRatio: Double)?, progress: SyncProgressLine?, roles: (ReplicaID) -> DeviceRole?
) async throws -> SyncReport {
    let report: SyncReport
    do {
        report = try await SyncClient.sync(replica, with: endpoint, trusting: trusted, limits: limits, resuming: learned) {
            progress?.update($0)
        }
    } catch SyncClientError.untrustedServer(let found, _) {
        let device = DeviceID(found)
        if let role = roles(found) {
            throw CLIError(
                "the server at \(endpoint) is device \(device), which is \(role.rawValue) here; this replica syncs only with servers it trusts read-write (gloss trust \(device) --role read-write)"
            )
        }
        throw CLIError(
            trusted.isEmpty
                ? "the server at \(endpoint) is device \(device); check that id with its owner ('gloss id' there), then run again with --expect \(device)"
                : "WARNING: the server at \(endpoint) presented device \(device), which this replica does not trust; nothing was sent. If its owner confirms that id, run again with --expect \(device)"
        )
    } catch SyncClientError.notAGlossServer {
        throw CLIError(
            "cannot sync with \(endpoint): it did not answer as a gloss server (TLS with a device key); is it 'gloss serve', version 0.2 or later?"
        )
    } catch let error as CLIError {
        throw error
    } catch  where SyncClient.isNetworkError(error) {
        throw NetworkFailure(reason: describeConnectionError(error), report: nil)
    } catch let error as GlossStoreError {
        throw CLIError(error.message)
    } catch {
        throw CLIError("cannot sync with \(endpoint): \(describeConnectionError(error))")
    }
    if progress != nil { Terminal.progress(nil) }
    if report.restoredBy != nil { return report }  // the caller takes a new id and syncs again
    guard let outcome = report.outcome, report.error == nil else {
        let error = report.error ?? ProtocolError(.internalError, "unknown failure", at: 0)
        if report.isNetworkFailure { throw NetworkFailure(reason: error.message, report: report) }
        if report.peerReportedError && error.code == .notTrusted {
            let me = DeviceID(replica.replicaID)
            throw CLIError(
                "the server at \(endpoint) does not trust this device (\(me)); the server's owner can allow it with: gloss trust \(me) --role read-write",
                refusedByServer: true)
        }
        if report.peerReportedError && error.code == .replicaRestored {
            throw CLIError(
                "the server at \(endpoint) says its own store was restored from a backup or copied: this replica holds changes under the server's id that the server lacks; nothing was sent. Its owner must give it a new id (for example a fresh clone from this replica) before it can sync"
            )
        }
        let who = report.peerReportedError ? "the server refused: " : ""
        throw CLIError("sync with \(endpoint) failed: \(who)\(error.message)")
    }
    if outcome.diverged, let forked = report.forkedAuthors.first {
        throw CLIError(
            "replica \(forked.hex) (device \(DeviceID(forked))) forked its history: this replica and \(endpoint) hold different branches of it, so their states differ; its changes from the fork on are refused (see 'gloss status')"
        )
    }
    if outcome.diverged {
        throw CLIError(
            "DIVERGENCE: this replica and \(endpoint) hold the same changes but their states differ (digest \(StateDigest.hex(outcome.localDigest)) vs \(StateDigest.hex(outcome.peerDigest))); this is a bug in gloss, please report it"
        )
    }
    return report
}

func printSummary(_ run: SyncRun, conflicts: Int, newConflicts: Int, json: Bool) throws {
    let report = run.report
    let outcome = report.outcome!
    if json {
        return try printJSON(
            SyncSummary(
                sent: run.sentChanges, received: run.receivedChanges, conflicts: conflicts,
                clock: clockJSON(outcome.localClock), bytesSent: report.bytesSent, bytesReceived: report.bytesReceived,
                pullOnly: report.pullOnly, attempts: run.attempts, resentBytes: run.resentBytes, seconds: run.seconds))
    }
    if report.pullOnly {
        let unsent = !outcome.peerClock.dominates(outcome.localClock)
        Terminal.note(
            "This device is read-only on \(report.address): it only pulls"
                + (unsent ? ", so the server lacks changes this replica holds (share them with a bundle, or ask for read-write)." : "."))
    }
    let peer =
        outcome.peer.name.isEmpty ? outcome.peer.replicaID.hex : "\(Terminal.singleLine(outcome.peer.name)) (\(outcome.peer.replicaID.hex))"
    var line =
        "Synced with \(peer): sent \(counted(run.sentChanges, "change")), received \(counted(run.receivedChanges, "change"))"
    line += newConflictsNote(newConflicts)
    if run.attempts > 1 { line += " (\(run.attempts) attempts)" }
    print(line + ".")
}

/// `gloss sync --json`: changes sent and received, conflicts now, the clock after, the bytes
/// this side wrote and read on the wire (in the session that completed), and what it took:
/// sessions tried, batch bytes sent again after failed ones, seconds from start to end.
struct SyncSummary: Encodable {
    let sent: Int
    let received: Int
    let conflicts: Int
    let clock: [String: UInt64]
    let bytesSent: Int
    let bytesReceived: Int
    /// True when the server lets this device only pull (it is read-only there).
    let pullOnly: Bool
    let attempts: Int
    let resentBytes: Int
    let seconds: Double

    enum CodingKeys: String, CodingKey {
        case sent, received, conflicts, clock, attempts, seconds
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
        case pullOnly = "pull_only"
        case resentBytes = "resent_bytes"
    }
}

func describeConnectionError(_ error: any Error) -> String {
    NetworkErrorText.connecting(error)
}
