import ArgumentParser
import GlossCore

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the changes, newest first: who, which number, when, and what changed.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Only the changes that touched this article or annotation.") var id: String?

    struct Entry: Encodable {
        let replica: String
        let seq: UInt64
        let time: String
        let dependencies: [String: UInt64]
        let operations: [[String: String]]
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        let entity = try id.map { prefix in try reportingErrors { try store.resolve(prefix: prefix).id } }
        let changes = try reportingErrors { try store.log(of: entity) }
        if output.json {
            return try printJSON(
                changes.map { change in
                    Entry(
                        replica: change.id.replica.hex, seq: change.id.seq, time: formatTime(change.time),
                        dependencies: clockJSON(change.dependencies), operations: change.operations.map(Self.describe))
                })
        }
        if changes.isEmpty { Terminal.note("No changes yet.") }
        let naming = ReplicaNaming(names: try reportingErrors { try store.replicaNames() }, own: store.identity.replicaID)
        for change in changes {
            print(Terminal.style("change \(change.id.replica.hex):\(change.id.seq)", "33"))
            print("by \(naming.name(change.id.replica)) at \(formatTime(change.time))")
            for operation in change.operations {
                let fields = Self.describe(operation)
                var line = "  \(fields["op"]!) \(fields["entity"]!)"
                if let field = fields["field"] { line += " \(field)" }
                if let tag = fields["tag"] { line += " #\(Terminal.singleLine(tag))" }
                if let value = fields["value"] ?? fields["exact"] { line += " \"\(Terminal.singleLine(String(value.prefix(80))))\"" }
                print(line)
            }
        }
    }

    /// An operation as flat string fields: `op`, `entity`, and what it carries.
    static func describe(_ operation: Operation) -> [String: String] {
        switch operation {
        case .createArticle(let id, let body):
            ["op": "create-article", "entity": id.hex, "value": ArticleText.defaultTitle(of: body)]
        case .createAnnotation(let id, let article, let anchor):
            [
                "op": "create-annotation", "entity": id.hex, "article": article.hex, "exact": anchor.exact,
                "start": String(anchor.start), "end": String(anchor.end),
            ]
        case .set(let entity, let field, let value):
            ["op": "set", "entity": entity.hex, "field": field.rawValue, "value": value]
        case .addTag(let entity, let tag):
            ["op": "add-tag", "entity": entity.hex, "tag": tag]
        case .removeTag(let entity, let tag):
            ["op": "remove-tag", "entity": entity.hex, "tag": tag]
        case .deleteAnnotation(let id):
            ["op": "delete", "entity": id.hex]
        case .keepAnnotation(let id):
            ["op": "keep", "entity": id.hex]
        }
    }
}
