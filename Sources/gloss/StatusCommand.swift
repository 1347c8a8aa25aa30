import ArgumentParser
import GlossCore

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the store id, this replica, its version vector, the state digest and counts."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let store: String
        let replica: String
        let name: OrNull<String>
        let clock: [String: UInt64]
        let digest: String
        let articles: Int
        /// Of `articles`, those archived.
        let archived: Int
        let annotations: Int
        let conflicts: Int
        /// Authors proven to have forked their histories (SPEC §6.7).
        let forks: [Fork]
    }

    struct Fork: Encodable {
        let replica: String
        let device: String
        /// Their changes from this one on are refused.
        let seq: UInt64
        let recorded: String
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        // All by query and from the stored per-entity hashes: nothing of the state is loaded.
        let (clock, digest) = try reportingErrors { try store.digest() }
        let counts = try reportingErrors { try store.counts() }
        let report = Report(
            store: store.identity.storeID.hex, replica: store.identity.replicaID.hex, name: OrNull(store.identity.name),
            clock: clockJSON(clock), digest: StateDigest.hex(digest), articles: counts.articles,
            archived: try reportingErrors { try store.archivedArticleIDs() }.count, annotations: counts.liveAnnotations,
            conflicts: try reportingErrors { try store.conflictCount() },
            forks: try reportingErrors { try store.forks() }.map {
                Fork(replica: $0.author.hex, device: DeviceID($0.author).description, seq: $0.seq, recorded: formatTime($0.recorded))
            }
        )
        if output.json { return try printJSON(report) }
        let naming = ReplicaNaming(names: try reportingErrors { try store.replicaNames() }, own: store.identity.replicaID)
        print("store       \(report.store)  (\(Terminal.singleLine(store.path)))")
        print("replica     \(naming.name(store.identity.replicaID))")
        print("articles    \(report.articles)\(report.archived > 0 ? "  (\(report.archived) archived)" : "")")
        print("annotations \(report.annotations)")
        print("conflicts   \(report.conflicts)\(report.conflicts > 0 ? "  (see 'gloss conflicts')" : "")")
        print("digest      \(report.digest)")
        print(clock.isEmpty ? "clock       (no changes yet)" : "clock")
        for (replica, seq) in clock.sortedEntries { print("  \(naming.name(replica)): \(seq)") }
        for fork in report.forks {
            Terminal.note(
                "WARNING: replica \(fork.replica) (device \(fork.device)) forked its history at its change \(fork.seq): its changes from there are refused. Revoke it, or have it sync so it takes a new id."
            )
        }
    }
}
