import Crypto
import Foundation
import GlossCore

/// The workload's final single-writer state as the reference computes it: canonical JSON
/// (sorted keys, `,` and `:` separators, ASCII) hashed with SHA-256. Built here from what a
/// Gloss replica actually holds, so equality with the reference proves Gloss kept every value.
enum ExpectedState {
    /// The reference digest for the default sizes (PEERS.md).
    static let referenceDigest = "ac7fa40a7208619ef6da30d53bae33b16bf7321fda98d758561d66448eb18e9d"

    static func digest(of state: ReplicaState, articleIDs: [EntityID], annotationIDs: [EntityID]) -> String {
        var articles: [(String, String)] = []
        for (index, id) in articleIDs.enumerated() {
            let article = state.articles[id]!
            articles.append(
                (
                    "a\(index)",
                    object([
                        ("body", json(article.body)), ("source", json(article.value(of: .source) ?? "")),
                        ("title", json(article.value(of: .title) ?? "")),
                    ])
                ))
        }
        var annotations: [(String, String)] = []
        for (index, id) in annotationIDs.enumerated() {
            let annotation = state.annotations[id]!
            let article = articleIDs.firstIndex(of: annotation.article).map { "a\($0)" } ?? "?"
            let tags = object(annotation.tags.elements.map { ($0, "true") })
            annotations.append(
                (
                    "n\(index)",
                    object([
                        ("article", json(article)), ("color", json(annotation.value(of: .color) ?? "")),
                        ("note", json(annotation.value(of: .note) ?? "")),
                        ("quote", json(annotation.anchor.exact)), ("tags", tags),
                    ])
                ))
        }
        let document = object([("annotations", object(annotations)), ("articles", object(articles))])
        return SHA256.hash(data: Array(document.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `{"k":v,...}` with keys sorted by code point, as Python's `sort_keys` does.
    static func object(_ members: [(String, String)]) -> String {
        "{"
            + members.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }
            .map { json($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func json(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7E {
                    for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
