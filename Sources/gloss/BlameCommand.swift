import ArgumentParser
import GlossCore

struct BlameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blame",
        abstract: "Show who wrote each field of an annotation or article, when, and what it replaced.",
        discussion: """
            For each field with a value (two or more when it is in conflict): the value, the \
            replica and time of the change that wrote it, and the values that change replaced \
            (those it had seen). For each tag: the changes whose adds keep it. Times are the \
            writers' own clocks.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The annotation or article id (or a unique prefix).") var id: String

    /// A value and its write; a live value also lists what it replaced (a replaced one does
    /// not: the key is left out).
    struct Written: Encodable {
        let value: String
        let replica: String
        let seq: UInt64
        let time: String
        let replaced: [Written]?

        init(_ value: RegisterValue, replaced: [RegisterValue]? = nil) {
            self.value = value.value
            replica = value.dot.replica.hex
            seq = value.dot.seq
            time = formatTime(value.time)
            self.replaced = replaced?.map { Written($0) }
        }
    }

    struct FieldJSON: Encodable {
        let field: String
        let values: [Written]
    }

    struct TagJSON: Encodable {
        struct Add: Encodable {
            let replica: String
            let seq: UInt64
            let time: String
        }
        let tag: String
        let added: [Add]
    }

    struct Report: Encodable {
        let id: String
        let kind: String
        let fields: [FieldJSON]
        let tags: [TagJSON]
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        let found = try reportingErrors { try store.resolve(prefix: id) }
        let state = try reportingErrors { try store.state(of: [found.id]) }
        let history = try reportingErrors { try store.log(of: found.id) }.reversed()
        let (registers, tags) =
            found.kind == .article
            ? (state.articles[found.id]!.registers, state.articles[found.id]!.tags)
            : (state.annotations[found.id]!.registers, state.annotations[found.id]!.tags)
        let blame = Blame.of(found.id, registers: registers, tags: tags, history: Array(history))
        if output.json {
            return try printJSON(
                Report(
                    id: found.id.hex, kind: found.kind.rawValue,
                    fields: blame.fields.map { field in
                        FieldJSON(field: field.field.rawValue, values: field.values.map { Written($0.value, replaced: $0.replaced) })
                    },
                    tags: blame.tags.map { tag in
                        TagJSON(
                            tag: tag.tag,
                            added: tag.addedBy.map { .init(replica: $0.dot.replica.hex, seq: $0.dot.seq, time: formatTime($0.time)) })
                    }))
        }
        let naming = ReplicaNaming(names: try reportingErrors { try store.replicaNames() }, own: store.identity.replicaID)
        func written(_ value: RegisterValue) -> String {
            // An empty value is a field cleared (a color removed, a note emptied).
            let shown = value.value.isEmpty ? "(cleared)" : "\"\(Terminal.excerpt(value.value, limit: 80))\""
            return "\(shown) by \(naming.name(value.dot.replica)) at \(formatTime(value.time))"
        }
        print("\(found.kind.rawValue) \(found.id.hex)")
        if blame.fields.isEmpty && blame.tags.isEmpty { Terminal.note("No field has a value yet.") }
        for field in blame.fields {
            print(field.field.rawValue + (field.values.count > 1 ? "  [conflict: \(field.values.count) values]" : ""))
            for value in field.values {
                print("  \(written(value.value)), change \(value.value.dot)")
                print(
                    value.replaced.isEmpty ? "    (the first value)" : "    replaced " + value.replaced.map(written).joined(separator: "; ")
                )
            }
        }
        if !blame.tags.isEmpty { print("tags") }
        for tag in blame.tags {
            let adds = tag.addedBy.map { add in
                "\(naming.name(add.dot.replica)) \(add.time == 0 ? "at an unknown time" : "at " + formatTime(add.time)), change \(add.dot)"
            }
            print("  #\(Terminal.singleLine(tag.tag))  added by " + adds.joined(separator: "; "))
        }
    }
}
