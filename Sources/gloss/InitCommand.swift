import ArgumentParser
import GlossStore

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store: a new store id and this replica's signing key. Prints the replica id."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "A name for this replica, shown beside its id (e.g. desk, laptop).")
    var name: String?

    func run() async throws {
        let store = try reportingErrors { try GlossStore.create(at: storeOptions.path, name: name) }
        if output.json {
            try printJSON(["store": store.identity.storeID.hex, "replica": store.identity.replicaID.hex, "path": store.path])
        } else {
            print(store.identity.replicaID.hex)
            Terminal.note("Created store \(store.identity.storeID.hex) at \(Terminal.singleLine(store.path))")
        }
    }
}
