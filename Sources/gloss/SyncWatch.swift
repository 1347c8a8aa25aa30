import Foundation
import GlossCore
import GlossNetwork
import GlossStore

/// `gloss sync HOST:PORT --every DURATION`: syncs now, then again whenever this replica has
/// changes the last sync did not carry (checked every second) and at least once a period. Each
/// round retries network failures for up to a period; a round that gives up marks the link
/// offline (or failing, for a refusal) and the next round tries again. Prints one line per
/// change of state (online, offline, failing, synced N) and runs until interrupted: every batch
/// is committed as it arrives, so stopping it at any moment loses nothing.
///
/// Waiting uses the continuous clock, which counts time asleep: after a laptop wakes, an
/// overdue round starts at once, and the stall watchdog replaces a connection the sleep broke.
struct SyncWatch {
    let endpoint: SyncEndpoint
    let trusted: Set<ReplicaID>
    let expected: ReplicaID?
    let period: TimeSpan
    let json: Bool
    /// nil before the first round ends.
    private var online: Bool?
    /// Why the last round failed, so that a reason is said once.
    private var lastFailure: String?

    init(endpoint: SyncEndpoint, trusted: Set<ReplicaID>, expected: ReplicaID?, period: TimeSpan, json: Bool) {
        self.endpoint = endpoint
        self.trusted = trusted
        self.expected = expected
        self.period = period
        self.json = json
    }

    mutating func run(store: inout GlossStore, retry: RetryOptions) async throws {
        var round = retry
        round.timeout = TimeSpan(seconds: min(retry.timeout.seconds, period.seconds))
        while true {
            let before = try reportingErrors { try store.conflictCount() }
            do {
                let run = try await syncOnce(&store, endpoint: endpoint, trusting: trusted, expected: expected, json: true, retry: round)
                let after = try reportingErrors { try store.conflictCount() }
                report(run, newConflicts: after - before)
            } catch let error as CLIError {
                // Offline, or refused (a busy hub's store, a trust not yet given): said once per
                // reason, and tried again next round, since a person may fix it meanwhile.
                let (event, reason) = error.networkFailure.map { ("offline", $0) } ?? ("failing", error.message)
                if online != false || lastFailure != reason {
                    say(event, "\(reason); trying again within \(period)", fields: ["reason": reason])
                }
                online = false
                lastFailure = reason
            }
            let baseline = try reportingErrors { try store.clock() }
            try await waitForChanges(in: store, since: baseline)
        }
    }

    /// Returns after a period, or as soon as the store's clock moves past `baseline` (this
    /// replica, or another process on the same store, wrote a change).
    private func waitForChanges(in store: GlossStore, since baseline: VersionVector) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(period.seconds * 1000))
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: min(.seconds(1), deadline - .now))
            if try reportingErrors({ try store.clock() }) != baseline { return }
        }
    }

    private mutating func report(_ run: SyncRun, newConflicts: Int) {
        guard let outcome = run.report.outcome else { return }
        let moved = run.sentChanges + run.receivedChanges
        let fields: [String: Any] = [
            "sent": run.sentChanges, "received": run.receivedChanges, "new_conflicts": newConflicts, "attempts": run.attempts,
        ]
        var text = "sent \(counted(run.sentChanges, "change")), received \(counted(run.receivedChanges, "change"))"
        text += newConflictsNote(newConflicts)
        if online != true {
            lastFailure = nil
            let peer = outcome.peer.name.isEmpty ? outcome.peer.replicaID.hex : Terminal.singleLine(outcome.peer.name)
            say("online", "synced with \(peer) at \(endpoint): \(text)", fields: fields)
        } else if moved > 0 {
            say("synced", text, fields: fields)
        }
        online = true
    }

    /// One line on stdout, flushed: `TIME EVENT: TEXT`, or with --json one object a line.
    private func say(_ event: String, _ text: String, fields: [String: Any]) {
        let time = formatTime(currentTime())
        if json {
            var object = fields
            object["time"] = time
            object["event"] = event
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(time) \(event): \(text)")
        }
        fflush(nil)  // a log read while it runs
    }
}
