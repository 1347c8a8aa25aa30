import ArgumentParser
import Foundation
import GlossCore

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Show the changes, newest first: who, which number, when, and what changed.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Only the changes that touched this article or annotation.") var id: String?

    struct Entry: Encodable {
        let replica: String
        let seq: UInt64
        let time: String
        let dependencies: [String: UInt64]
        let operations: [OperationEntry]
    }

    /// An operation in `log --json`: `op`, `entity`, and what it carries; offsets are numbers.
    struct OperationEntry: Encodable {
        let op: String
        let entity: String
        var article: String?
        var exact: String?
        var start: UInt64?
        var end: UInt64?
        var field: String?
        var value: String?
        var tag: String?
        var revision: String?
        var note: String?

        init(_ operation: Operation) {
            let fields = Log.describe(operation)
            op = fields["op"]!
            entity = fields["entity"]!
            (article, exact, field, value, tag) = (fields["article"], fields["exact"], fields["field"], fields["value"], fields["tag"])
            (revision, note) = (fields["revision"], fields["note"])
            if case .createAnnotation(_, _, let anchor) = operation { (start, end) = (anchor.start, anchor.end) }
        }
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        let entity = try id.map { prefix in try reportingErrors { try store.resolve(prefix: prefix).id } }
        // One entity's changes are few; the whole log is read a page at a time, so the first
        // screen shows at once and memory does not grow with the store.
        func forEachChange(_ body: (Change) throws -> Void) throws {
            if let entity { return try reportingErrors { try store.log(of: entity) }.forEach(body) }
            var before: Int64?
            repeat {
                let page = try reportingErrors { try store.logPage(before: before, limit: 500) }
                try page.changes.forEach(body)
                before = page.next
            } while before != nil
        }
        if output.json {
            // A JSON array written as it is read.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var first = true
            FileHandle.standardOutput.write(Data("[".utf8))
            try forEachChange { change in
                let entry = Entry(
                    replica: change.id.replica.hex, seq: change.id.seq, time: formatTime(change.time),
                    dependencies: clockJSON(change.dependencies), operations: change.operations.map(OperationEntry.init))
                FileHandle.standardOutput.write(Data((first ? "" : ",").utf8) + (try encoder.encode(entry)))
                first = false
            }
            FileHandle.standardOutput.write(Data("]\n".utf8))
            return
        }
        let naming = ReplicaNaming(names: try reportingErrors { try store.replicaNames() }, own: store.identity.replicaID)
        var any = false
        try forEachChange { change in
            any = true
            print(Terminal.style("change \(change.id.replica.hex):\(change.id.seq)", "33"))
            print("by \(naming.name(change.id.replica)) at \(formatTime(change.time))")
            for operation in change.operations {
                let fields = Self.describe(operation)
                var line = "  \(fields["op"]!) \(fields["entity"]!)"
                if let field = fields["field"] { line += " \(field)" }
                if let tag = fields["tag"] { line += " #\(Terminal.singleLine(tag))" }
                if let revision = fields["revision"] { line += " revision \(revision)" }
                if let note = fields["note"], !note.isEmpty { line += " \"\(Terminal.excerpt(note, limit: 80))\"" }
                if let value = fields["value"] ?? fields["exact"] { line += " \"\(Terminal.excerpt(value, limit: 80))\"" }
                print(line)
            }
        }
        if !any { Terminal.note("No changes yet.") }
    }

    /// An operation as flat string fields: `op`, `entity`, and what it carries.
    static func describe(_ operation: Operation) -> [String: String] {
        switch operation {
        case .createArticle(let id, let body):
            ["op": "create-article", "entity": id.hex, "value": ArticleText.defaultTitle(of: body)]
        case .createAnnotation(let id, let article, let anchor):
            [
                "op": "create-annotation", "entity": id.hex, "article": article.hex, "exact": anchor.exact,
            ].merging(anchor.revision.map { ["revision": $0.hex] } ?? [:]) { $1 }
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
        case .addRevision(let article, let revision, let note, _):
            ["op": "add-revision", "entity": article.hex, "revision": revision.hex, "note": note]
        }
    }
}
