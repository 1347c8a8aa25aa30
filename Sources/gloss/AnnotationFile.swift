import Foundation
import GlossCore

/// Annotations read from another tool's file, before they are placed: W3C Web Annotation JSON-LD
/// (one annotation, an `AnnotationCollection` with its first page embedded, an
/// `AnnotationPage`, or an array of annotations) and Hypothesis's API JSON (a search result
/// `{"rows": [...]}` or an array of its rows).
///
/// Only what Gloss keeps is read: the quote (a `TextQuoteSelector`, with a
/// `TextPositionSelector` when there is one), the page it targets, the note (`TextualBody`
/// bodies commenting or without a purpose, or `bodyValue`; Hypothesis's `text`), the tags
/// (bodies with purpose `tagging`; Hypothesis's `tags`) and Gloss's own `gloss:color` and
/// `gloss:article`. A file whose shape is wrong is refused whole, naming the place (a JSON path
/// such as `$.first.items[3].target`).
struct AnnotationFile {
    struct Entry {
        /// How the summary names it: its `id`, else its place in the file.
        let label: String
        /// The page the annotation targets (W3C `target.source`, Hypothesis `uri`).
        let source: String?
        /// The article it was made on, when the file says (`gloss:article`, or a Gloss URN).
        let article: EntityID?
        /// Nil when the annotation has no TextQuoteSelector (it cannot be placed in a text).
        let selector: TextSelector?
        let note: String?
        let tags: [String]
        let color: String?
        /// The Gloss annotation it was exported from (`urn:gloss:annotation:ID`).
        let glossID: EntityID?
    }

    let entries: [Entry]
    /// The collection says it has more pages than the one embedded (`next`, or a `total`
    /// above what its first page holds): only that page was read.
    private(set) var morePages = false

    struct Malformed: Error {
        let message: String
    }

    init(json data: Data) throws {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let why = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw Malformed(message: "not JSON: " + (why.hasSuffix(".") ? String(why.dropLast()) : why))
        }
        var more = false
        entries = try Self.annotations(in: value, at: "$", morePages: &more)
        morePages = more
        for entry in entries {
            // Refused here, before anything is written: a change may not hold U+0000 (SPEC §4).
            let texts = [entry.selector?.exact, entry.note, entry.color].compactMap { $0 } + entry.tags
            if texts.contains(where: { $0.unicodeScalars.contains("\u{0}") }) {
                throw Malformed(message: "\(entry.label): a quote, note, tag or color holds U+0000, which Gloss cannot store")
            }
        }
    }

    /// Every annotation in `value`, whichever of the accepted shapes it has.
    private static func annotations(in value: Any, at path: String, morePages: inout Bool) throws -> [Entry] {
        if let list = value as? [Any] {
            var found: [Entry] = []
            for (index, item) in list.enumerated() { found += try annotations(in: item, at: "\(path)[\(index)]", morePages: &morePages) }
            return found
        }
        guard let object = value as? [String: Any] else {
            throw Malformed(message: "\(path): expected an annotation, a collection, a page or a list of them")
        }
        if let rows = object["rows"] {
            guard let rows = rows as? [Any] else { throw Malformed(message: "\(path).rows: expected a list of Hypothesis annotations") }
            return try rows.enumerated().map { index, row in try hypothesis(row, at: "\(path).rows[\(index)]") }
        }
        let types = Self.types(object["type"])
        if types.contains("AnnotationCollection") {
            guard let first = object["first"] else { return [] }  // an empty collection
            guard let page = first as? [String: Any] else {
                throw Malformed(message: "\(path).first: the collection's first page must be embedded, not linked")
            }
            let held = (page["items"] as? [Any])?.count ?? 0
            if page["next"] != nil || ((object["total"] as? Int).map { $0 > held } ?? false) { morePages = true }
            return try annotations(in: page, at: "\(path).first", morePages: &morePages)
        }
        if types.contains("AnnotationPage") {
            guard let items = object["items"] as? [Any] else { throw Malformed(message: "\(path).items: expected a list of annotations") }
            return try items.enumerated().map { index, item in try w3c(item, at: "\(path).items[\(index)]") }
        }
        if types.contains("Annotation") { return [try w3c(object, at: path)] }
        if object["uri"] != nil || object["target"] != nil { return [try hypothesis(object, at: path)] }
        throw Malformed(message: "\(path): expected an annotation, a collection, a page or Hypothesis rows (no type found)")
    }

    private static func types(_ value: Any?) -> [String] {
        if let type = value as? String { return [type] }
        return (value as? [Any])?.compactMap { $0 as? String } ?? []
    }

    private static func w3c(_ value: Any, at path: String) throws -> Entry {
        guard let object = value as? [String: Any] else { throw Malformed(message: "\(path): expected an annotation object") }
        guard types(object["type"]).contains("Annotation") else { throw Malformed(message: "\(path).type: expected \"Annotation\"") }
        let (source, selector, article) = try target(object["target"], at: path + ".target")
        var notes: [String] = []
        var tags: [String] = []
        if let value = object["bodyValue"] {
            guard let text = value as? String else { throw Malformed(message: "\(path).bodyValue: expected a string") }
            notes.append(text)
        }
        let bodies: [Any] = (object["body"] as? [Any]) ?? object["body"].map { [$0] } ?? []
        for (index, body) in bodies.enumerated() {
            guard let body = body as? [String: Any] else { continue }  // a linked body: nothing of it to keep
            guard types(body["type"]).contains("TextualBody") || body["value"] != nil else { continue }
            guard let text = body["value"] as? String else {
                throw Malformed(message: "\(path).body[\(index)].value: expected a string")
            }
            let purposes = types(body["purpose"])
            if purposes.contains("tagging") {
                tags.append(text)
            } else if purposes.isEmpty || purposes.contains("commenting") {
                notes.append(text)
            }
        }
        let color = ((object["gloss:color"] ?? object[W3CExport.termsPrefix + "color"]) as? String).flatMap { $0.isEmpty ? nil : $0 }
        let hinted = (object["gloss:article"] as? String).flatMap(articleID) ?? article
        let id = object["id"] as? String
        return Entry(
            label: id ?? path, source: source, article: hinted, selector: selector,
            note: notes.isEmpty ? nil : notes.joined(separator: "\n\n"), tags: tags.filter { !$0.isEmpty }, color: color,
            glossID: id.flatMap { annotationID($0) })
    }

    private static func hypothesis(_ value: Any, at path: String) throws -> Entry {
        guard let object = value as? [String: Any] else { throw Malformed(message: "\(path): expected a Hypothesis annotation object") }
        let (source, selector, article) = try target(object["target"], at: path + ".target")
        if let text = object["text"], !(text is String) { throw Malformed(message: "\(path).text: expected a string") }
        if let tags = object["tags"], !(tags is [String]) { throw Malformed(message: "\(path).tags: expected a list of strings") }
        let note = (object["text"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return Entry(
            label: (object["id"] as? String) ?? path, source: (object["uri"] as? String) ?? source, article: article, selector: selector,
            note: note, tags: (object["tags"] as? [String] ?? []).filter { !$0.isEmpty }, color: nil, glossID: nil)
    }

    /// The target's source, its quote selector and the Gloss article it names, from the first
    /// target that has a TextQuoteSelector (else the first target's source alone).
    private static func target(_ value: Any?, at path: String) throws -> (String?, TextSelector?, EntityID?) {
        guard let value else { throw Malformed(message: "\(path): missing (every annotation has a target)") }
        let targets: [Any] = (value as? [Any]) ?? [value]
        var firstSource: String?
        for (index, target) in targets.enumerated() {
            let place = targets.count == 1 && !(value is [Any]) ? path : "\(path)[\(index)]"
            if let uri = target as? String {
                firstSource = firstSource ?? uri
                continue
            }
            guard let object = target as? [String: Any] else { throw Malformed(message: "\(place): expected a URI or an object") }
            let source = object["source"] as? String
            firstSource = firstSource ?? source
            let selectors: [Any] = (object["selector"] as? [Any]) ?? object["selector"].map { [$0] } ?? []
            var quote: (String, String, String)?
            var position: Range<Int>?
            for (number, selector) in selectors.enumerated() {
                guard let selector = selector as? [String: Any] else { continue }
                switch selector["type"] as? String {
                case "TextQuoteSelector":
                    guard let exact = selector["exact"] as? String else {
                        throw Malformed(message: "\(place).selector[\(number)].exact: a TextQuoteSelector needs its text")
                    }
                    quote = (exact, selector["prefix"] as? String ?? "", selector["suffix"] as? String ?? "")
                case "TextPositionSelector":
                    guard let start = selector["start"] as? Int, let end = selector["end"] as? Int, start >= 0, end >= start else {
                        throw Malformed(message: "\(place).selector[\(number)]: a TextPositionSelector needs start <= end, both from 0")
                    }
                    position = start..<end
                default:
                    continue  // RangeSelector, FragmentSelector, ...: nothing Gloss can place by
                }
            }
            let article = (object["gloss:article"] as? String).flatMap(articleID) ?? source.flatMap(articleID)
            if let quote {
                return (source, TextSelector(exact: quote.0, prefix: quote.1, suffix: quote.2, position: position), article)
            }
        }
        return (firstSource, nil, firstSource.flatMap(articleID))
    }

    /// The article a Gloss URN names (`urn:gloss:article:ID...`).
    static func articleID(_ urn: String) -> EntityID? { id(in: urn, after: "urn:gloss:article:") }

    /// The annotation a Gloss URN names (`urn:gloss:annotation:ID`).
    static func annotationID(_ urn: String) -> EntityID? { id(in: urn, after: "urn:gloss:annotation:") }

    private static func id(in urn: String, after prefix: String) -> EntityID? {
        guard urn.hasPrefix(prefix) else { return nil }
        return ID128(hex: String(urn.dropFirst(prefix.count).prefix(32)))
    }
}
