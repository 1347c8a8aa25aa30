import ArgumentParser
import Foundation
import GlossNetwork
import GlossStore

struct Clone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new replica of a store, from a server (HOST:PORT) or a bundle file. Prints the new replica id.",
        discussion: """
            From a server, the new store is created as soon as the server names its store, and
            every batch is kept as it arrives: if the clone is interrupted, 'gloss sync HOST:PORT'
            on the new store finishes it. From a bundle, the store is made only if the whole
            bundle applies.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("A server or a bundle file.", valueName: "host:port | bundle")) var source: String
    @Option(help: "A name for the new replica.") var name: String?

    func run() async throws {
        let path = storeOptions.path
        if FileManager.default.fileExists(atPath: path) {
            throw CLIError("a store already exists at \(Terminal.singleLine(path))")
        }
        if FileManager.default.fileExists(atPath: source) || SyncEndpoint(parsing: source) == nil {
            return try cloneBundle(at: path)
        }
        let replica = SyncReplica(cloningTo: path, name: name)
        let report: SyncReport
        do {
            report = try await runSession(replica, endpoint: try parseEndpoint(source), json: output.json)
        } catch let error as CLIError where replica.createdStore != nil {
            // The store exists and keeps every batch that arrived: say how to finish.
            throw CLIError(
                "\(error.message); the new store at \(Terminal.singleLine(path)) keeps what arrived: finish with 'gloss sync \(source) --store \(Terminal.singleLine(path))'"
            )
        }
        let outcome = report.outcome!
        guard let store = replica.createdStore else { throw CLIError("the server did not name its store") }
        let conflicts = try reportingErrors { try store.conflictCount() }
        if output.json {
            try printSummary(report, conflicts: conflicts, newConflicts: conflicts, json: true)
        } else {
            print(store.identity.replicaID.hex)
            Terminal.note(
                "Cloned store \(store.identity.storeID.hex) from \(source) into \(Terminal.singleLine(path)): \(outcome.receivedChanges) changes."
            )
        }
    }

    private func cloneBundle(at path: String) throws {
        let decoded = try readBundle(source)
        let store = try reportingErrors { try GlossStore.create(at: path, storeID: decoded.storeID, name: name) }
        do {
            let report = try applyBundle(decoded, to: store, file: source)
            print(store.identity.replicaID.hex)
            Terminal.note("Cloned store \(decoded.storeID.hex) into \(Terminal.singleLine(path)): \(report.applied) changes.")
        } catch {
            // Nothing half-made: the new store goes if its first bundle does not apply.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
    }
}
