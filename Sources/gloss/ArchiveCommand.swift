import ArgumentParser
import GlossCore
import GlossStore

struct Archive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Put articles away: hidden from lists, kept with their annotations, synced.",
        discussion: """
            'gloss articles --archived' lists them, 'gloss show' still shows one, and 'gloss \
            unarchive' brings them back. Archiving is an ordinary change that syncs like any other.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The articles' ids (or unique prefixes).") var articles: [String]

    func run() async throws {
        try ArchiveChange.perform(archived: true, articles: articles, storeOptions: storeOptions)
    }
}

struct Unarchive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unarchive",
        abstract: "Bring archived articles back into the lists.",
        discussion: "'gloss articles --archived' lists the archived articles."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The articles' ids (or unique prefixes).") var articles: [String]

    func run() async throws {
        try ArchiveChange.perform(archived: false, articles: articles, storeOptions: storeOptions)
    }
}

/// Both commands: every id resolved first, then one change for them all.
enum ArchiveChange {
    static func perform(archived: Bool, articles: [String], storeOptions: StoreOptions) throws {
        guard !articles.isEmpty else { throw ValidationError("name at least one article") }
        let store = try storeOptions.open()
        let ids = try articles.map { prefix in
            let target = try reportingErrors { try store.resolve(prefix: prefix) }
            guard target.kind == .article else { throw CLIError("\(target.id.hex) is an annotation, not an article") }
            return target.id
        }
        let verb = archived ? "archived" : "unarchived"
        let change = try reportingErrors { try store.perform(ArchiveIntent(articles: ids, archived: archived), time: currentTime()) }
        let changed = Set(change?.operations.map(\.entity) ?? [])
        for id in Set(ids).sorted() {
            if changed.contains(id) {
                print("\(verb.capitalized) article \(id.hex).")
            } else {
                print("Article \(id.hex) is \(archived ? "already archived" : "not archived").")
            }
        }
    }
}
