import ArgumentParser
import GlossCore
import GlossStore

struct Reanchor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reanchor",
        abstract: "Place an annotation by hand on its article's current revision.",
        discussion: """
            For an orphan (an annotation whose passage the current revision no longer holds \
            surely), or one re-anchoring placed where you would not. The quote is found as \
            'gloss annotate' finds one; --occurrence picks among several. Recorded as a change \
            that syncs: two people placing it at once is a conflict of its anchor.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The annotation id (or a unique prefix).") var id: String
    @Option(help: "The passage to highlight, as it reads in the current revision.") var quote: String
    @Option(help: "Which occurrence of the quote, counting from 1, when it occurs more than once.") var occurrence: Int?

    func run() async throws {
        let store = try storeOptions.open()
        let found = try reportingErrors { try store.resolve(prefix: id) }
        guard found.kind == .annotation else { throw CLIError("\(found.id.hex) is an article; 'gloss reanchor' places an annotation") }
        guard let held = try reportingErrors({ try store.state(of: [found.id]) }).annotations[found.id] else {
            throw CLIError("no annotation \(found.id.hex)")
        }
        let intent = ReanchorIntent(annotation: found.id, article: held.article, quote: quote, occurrence: occurrence)
        guard try reportingErrors({ try store.perform(intent, time: currentTime()) }) != nil else {
            print("Nothing to change: \(found.id.hex) is placed there already.")
            return
        }
        let article = try reportingErrors { try store.state(of: [held.article]) }.articles[held.article]!
        let number = article.revisionHistory.firstIndex(of: article.currentRevision)! + 1
        print("Placed \(found.id.hex) on revision \(number) of \(held.article.hex).")
    }
}
