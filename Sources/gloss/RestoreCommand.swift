import ArgumentParser
import GlossCore
import GlossStore

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring back a deleted annotation, with its note, color and tags.",
        discussion: """
            The restore is an ordinary change that syncs like any other. 'gloss annotations \
            --deleted' lists what can be restored.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The deleted annotation's id (or a unique prefix).") var id: String

    func run() async throws {
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        _ = try reportingErrors { try store.perform(RestoreIntent(annotation: target.id), time: currentTime()) }
        print("Restored annotation \(target.id.hex).")
    }
}
