import ArgumentParser
import GlossCore
import GlossStore

struct Revisions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revisions",
        abstract: "List an article's revisions, oldest first, and which is current.",
        discussion: """
            Revision 1 is the text the article was imported with. Later ones are numbered in the \
            order they were first recorded (the same on every replica that holds them); \
            'gloss show ARTICLE --revision N' shows one.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The article id (or a unique prefix).") var article: String

    struct Listed: Encodable {
        let number: Int
        let revision: String
        let current: Bool
        /// A value of the article's `revision` field while it is in conflict.
        let contested: Bool
        let note: String
        let time: OrNull<String>
        let replica: OrNull<String>
        let characters: Int
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        let found = try reportingErrors { try store.resolve(prefix: article) }
        guard found.kind == .article else { throw CLIError("\(found.id.hex) is an annotation; 'gloss revisions' takes an article") }
        let held = try reportingErrors { try store.state(of: [found.id]) }.articles[found.id]!
        let first = try reportingErrors { try store.provenance(of: [found.id]) }[found.id]
        let register = held.registers[.revision]
        let contested = register?.isInConflict == true ? Set(register!.values.map(\.value)) : []
        let listed = held.revisionHistory.enumerated().map { index, revision in
            let added = held.revisions[revision]
            return Listed(
                number: index + 1, revision: revision.hex, current: revision == held.currentRevision,
                contested: contested.contains(revision.hex), note: added?.note ?? "",
                time: OrNull(added.map { formatTime($0.time) } ?? first.map { formatTime($0.created) }),
                replica: OrNull(added?.dot.replica.hex ?? first?.createdBy.hex), characters: held.text(of: revision)!.unicodeScalars.count)
        }
        if output.json { return try printJSON(listed) }
        let naming = ReplicaNaming(names: try reportingErrors { try store.replicaNames() }, own: store.identity.replicaID)
        for entry in listed {
            var line = "\(entry.current ? "*" : " ") \(entry.number)  \(entry.revision)  \(entry.time.value ?? "")"
            if let replica = entry.replica.value.flatMap(ID128.init(hex:)) { line += "  by \(naming.name(replica))" }
            line += "  \(counted(entry.characters, "character"))"
            if entry.contested { line += Terminal.style("  [conflict]", "31") }
            print(line)
            if entry.number == 1 {
                print("      the text as imported")
            } else if !entry.note.isEmpty {
                print("      " + Terminal.excerpt(entry.note, limit: 200))
            }
        }
        if !contested.isEmpty {
            Terminal.note(
                "The current revision is in conflict: 'gloss resolve \(found.id.hex.prefix(12)) revision --pick N' settles it (N as 'gloss conflicts' lists the values)."
            )
        }
    }
}
