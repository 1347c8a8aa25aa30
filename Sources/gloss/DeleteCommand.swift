import ArgumentParser
import GlossCore
import GlossStore

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an annotation.",
        discussion: """
            A delete removes the annotation as this replica has seen it. If another replica edits \
            it meanwhile, it stays, flagged as a delete-vs-edit conflict: 'gloss resolve ID --keep' \
            keeps it, and deleting it again removes it.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The annotation id (or a unique prefix).") var id: String

    func run() async throws {
        let store = try storeOptions.open()
        let target = try reportingErrors { try store.resolve(prefix: id) }
        _ = try reportingErrors { try store.perform(DeleteIntent(annotation: target.id), time: currentTime()) }
        print("Deleted annotation \(target.id.hex).")
    }
}
