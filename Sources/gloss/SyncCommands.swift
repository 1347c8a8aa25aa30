import ArgumentParser
import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve sync sessions for this store until interrupted.",
        discussion: """
            Listens on 127.0.0.1:\(SyncProtocol.defaultPort) unless --listen says otherwise (port 0 picks a free
            port). Prints the address it listens on, then one line per session. Plain TCP:
            anyone who can reach the port can read and write the store, so keep it on loopback
            or a network you trust until TLS arrives.
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
            throw CLIError("cannot listen on \(endpoint): \(error)")
        }
        print("listening on \(SyncEndpoint(host: endpoint.host, port: server.port)) for store \(store.identity.storeID.hex)")
        fflush(nil)
        try await server.run()
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exchange changes with a server, both ways, in one session.",
        discussion: "Exits 0 when both replicas hold the union of their changes."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("The server.", valueName: "host:port")) var server: String

    func run() async throws {
        let endpoint = try parseEndpoint(server)
        let store = try storeOptions.open()
        let before = try reportingErrors { try store.conflictCount() }
        let report = try await runSession(SyncReplica(store: store), endpoint: endpoint, json: output.json)
        let after = try reportingErrors { try store.conflictCount() }
        try printSummary(report, conflicts: after, newConflicts: after - before, json: output.json)
    }
}

struct Peers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the replicas this one has synced with, when, and what each held.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Listed: Encodable {
        let replica: String
        let name: String
        let address: String
        let lastSync: String
        let clock: [String: UInt64]
        let sent: Int
        let received: Int

        enum CodingKeys: String, CodingKey {
            case replica, name, address, clock, sent, received
            case lastSync = "last_sync"
        }
    }

    func run() async throws {
        let peers = try reportingErrors { try storeOptions.openForReading().peers() }
        if output.json {
            return try printJSON(
                peers.map {
                    Listed(
                        replica: $0.replicaID.hex, name: $0.name, address: $0.address, lastSync: formatTime($0.lastSync),
                        clock: clockJSON($0.clock), sent: $0.sent, received: $0.received)
                })
        }
        if peers.isEmpty { Terminal.note("No peers yet: 'gloss sync HOST:PORT' syncs with one.") }
        for peer in peers {
            let name = peer.name.isEmpty ? "" : " (\(Terminal.singleLine(peer.name)))"
            print(
                "\(peer.replicaID.hex)\(name)  at \(Terminal.singleLine(peer.address))  last synced \(formatTime(peer.lastSync))  holding \(peer.clock.total) changes"
            )
        }
    }
}

func parseEndpoint(_ text: String) throws -> SyncEndpoint {
    guard let endpoint = SyncEndpoint(parsing: text) else { throw CLIError("'\(Terminal.singleLine(text))' is not HOST:PORT") }
    return endpoint
}

/// Runs one client session; any failure becomes one line naming the server.
func runSession(_ replica: SyncReplica, endpoint: SyncEndpoint, json: Bool) async throws -> SyncReport {
    let showProgress = !json && isatty(STDERR_FILENO) == 1
    let received = ProgressCounter()
    let report: SyncReport
    do {
        report = try await SyncClient.sync(replica, with: endpoint) { event in
            guard showProgress, case .received(let count) = event else { return }
            Terminal.progress("received \(received.add(count)) changes…")
        }
    } catch {
        throw CLIError("cannot sync with \(endpoint): \(describeConnectionError(error))")
    }
    if showProgress { Terminal.progress(nil) }
    guard let outcome = report.outcome, report.error == nil else {
        let error = report.error ?? ProtocolError(.internalError, "unknown failure", at: 0)
        let who = report.peerReportedError ? "the server refused: " : ""
        throw CLIError("sync with \(endpoint) failed: \(who)\(error.message) (\(error.code.name))")
    }
    if outcome.diverged {
        throw CLIError(
            "DIVERGENCE: this replica and \(endpoint) hold the same changes but their states differ (digest \(StateDigest.hex(outcome.localDigest)) vs \(StateDigest.hex(outcome.peerDigest))); this is a bug in gloss, please report it"
        )
    }
    return report
}

func printSummary(_ report: SyncReport, conflicts: Int, newConflicts: Int, json: Bool) throws {
    let outcome = report.outcome!
    if json {
        return try printJSON(
            SyncSummary(
                sent: outcome.sentChanges, received: outcome.receivedChanges, conflicts: conflicts,
                clock: clockJSON(outcome.localClock), bytesSent: report.bytesSent, bytesReceived: report.bytesReceived))
    }
    let peer =
        outcome.peer.name.isEmpty ? outcome.peer.replicaID.hex : "\(Terminal.singleLine(outcome.peer.name)) (\(outcome.peer.replicaID.hex))"
    var line =
        "Synced with \(peer): sent \(outcome.sentChanges), received \(outcome.receivedChanges) change\(outcome.receivedChanges == 1 ? "" : "s")"
    if newConflicts > 0 { line += "; \(newConflicts) new conflict\(newConflicts == 1 ? "" : "s") (see 'gloss conflicts')" }
    print(line + ".")
}

/// `gloss sync --json`: changes sent and received, conflicts now, the clock after, and the
/// bytes this side wrote and read on the wire.
struct SyncSummary: Encodable {
    let sent: Int
    let received: Int
    let conflicts: Int
    let clock: [String: UInt64]
    let bytesSent: Int
    let bytesReceived: Int

    enum CodingKeys: String, CodingKey {
        case sent, received, conflicts, clock
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
    }
}

func describeConnectionError(_ error: any Error) -> String {
    let text = "\(error)"
    if text.contains("connection refused") || text.contains("Connection refused") {
        return "connection refused (is 'gloss serve' running there?)"
    }
    if text.contains("connectTimeout") || text.contains("timed out") { return "the connection timed out" }
    return text
}

/// A running total shared with the progress callback.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    func add(_ count: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        total += count
        return total
    }
}
