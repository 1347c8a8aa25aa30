import ArgumentParser
import GlossCore
import GlossStore

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a store end to end: the file, every signature, and the state against its log.",
        discussion: """
            Runs SQLite's integrity check, verifies every author's signatures over the whole log, \
            and replays the log through the merge rules to check that it gives the state the store \
            holds. Exits 1 when anything is wrong. Reads the whole log into memory.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let ok: Bool
        let changes: Int
        let authors: Int
        let digest: String
        let problems: [String]
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        let result = try reportingErrors { try store.verify() }
        let digest = StateDigest.hex(result.digest)
        if output.json {
            try printJSON(
                Report(
                    ok: result.problems.isEmpty, changes: result.changes, authors: result.authors, digest: digest, problems: result.problems
                ))
        } else if result.problems.isEmpty {
            print(
                "ok: the file is sound, \(counted(result.changes, "change")) by \(counted(result.authors, "author")) \(result.changes == 1 ? "is signed, and replaying it gives" : "are signed, and replaying them gives") the stored state (digest \(digest))"
            )
        }
        if !result.problems.isEmpty {
            if !output.json { for problem in result.problems.dropLast() { Terminal.note("gloss: \(Terminal.singleLine(problem))") } }
            throw CLIError(result.problems.last!)
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the store to a new file, consistently, while others use it.",
        discussion: """
            Uses SQLite's online backup, so a server or a sync may keep writing meanwhile. The copy \
            is readable by its owner only (it holds this replica's key and notes that may name \
            sources). Put back in place of a lost store, it finds out at its first sync that it was \
            restored, and takes a new replica id so that it never reuses the old one.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The file to write (it must not exist).", completion: .file()) var path: String

    func run() async throws {
        let store = try storeOptions.openForReading()
        try reportingErrors { try store.backup(to: path) }
        print("Backed up store \(store.identity.storeID.hex) to \(Terminal.singleLine(path)).")
    }
}
