import ArgumentParser
import GlossCore

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an article's text with its highlights and notes.",
        discussion: "Highlights are marked ⟦like this⟧¹ and their notes listed below the text."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The article id (or a unique prefix).") var articleID: String

    func run() async throws {
        let store = try storeOptions.openForReading()
        let id = try reportingErrors { try store.resolve(prefix: articleID) }
        guard id.kind == .article else { throw CLIError("\(id.id.hex) is an annotation; 'gloss show' takes an article") }
        let state = try reportingErrors { try store.state(ofArticle: id.id) }
        let article = state.articles[id.id]!
        let annotations = state.liveAnnotations(of: id.id)
        if output.json {
            let conflicts = article.fieldsInConflict
            return try printJSON(
                ArticleDetail(
                    id: article.id.hex, title: article.value(of: .title) ?? "", source: OrNull(article.value(of: .source)),
                    tags: article.tags.elements, body: article.body, archived: article.isArchived, conflicts: conflicts,
                    annotations: annotations.map(AnnotationSummary.init)
                ))
        }
        var out: [String] = []
        func print(_ line: String = "") { out.append(line) }
        defer { Pager.show(out.joined(separator: "\n")) }
        print(Terminal.style(Terminal.singleLine(article.value(of: .title) ?? "(untitled)"), "1"))
        var facts = ["id \(article.id.hex)"]
        if let source = article.value(of: .source) { facts.append("source \(Terminal.singleLine(source))") }
        if !article.tags.elements.isEmpty {
            facts.append(article.tags.elements.map { "#" + Terminal.singleLine($0) }.joined(separator: " "))
        }
        if article.isArchived { facts.append("[archived]") }
        if !article.fieldsInConflict.isEmpty {
            facts.append("[conflict: \(article.fieldsInConflict.joined(separator: ", ")); see 'gloss conflicts']")
        }
        print(facts.joined(separator: "  "))
        print()
        print(Self.highlighted(article.body, annotations))
        guard !annotations.isEmpty else { return }
        print()
        for (number, annotation) in annotations.enumerated() {
            let summary = AnnotationSummary(annotation)
            var line = "[\(number + 1)] \"\(Terminal.singleLine(summary.exact))\""
            if let color = summary.color.value { line += " (\(Terminal.singleLine(color)))" }
            if !summary.tags.isEmpty { line += " " + summary.tags.map { "#" + Terminal.singleLine($0) }.joined(separator: " ") }
            if !summary.conflicts.isEmpty { line += Terminal.style(" [conflict: \(summary.conflicts.joined(separator: ", "))]", "31") }
            print(line)
            // The note whole, its lines as lines (indented), each made terminal-safe.
            if let note = summary.note.value, !note.isEmpty {
                for noteLine in note.split(separator: "\n", omittingEmptySubsequences: false) {
                    print("    " + Terminal.singleLine(String(noteLine.hasSuffix("\r") ? noteLine.dropLast() : noteLine)))
                }
            }
            print("    \(summary.id)")
        }
    }

    /// The body with ⟦ ⟧ around each highlight and its number after it; markers that fall on
    /// the same place keep reading order, so overlapping highlights stay legible.
    static func highlighted(_ body: String, _ annotations: [AnnotationState]) -> String {
        var opens: [Int: [Int]] = [:]
        var closes: [Int: [Int]] = [:]
        for (index, annotation) in annotations.enumerated() {
            opens[Int(annotation.anchor.start), default: []].append(index + 1)
            closes[Int(annotation.anchor.end), default: []].append(index + 1)
        }
        var out = ""
        var segment = String.UnicodeScalarView()
        func flush() {
            out += Terminal.safe(String(segment))
            segment = String.UnicodeScalarView()
        }
        // Each highlight's marks in its own color where the terminal has it, else yellow.
        func markCode(_ number: Int) -> String {
            annotations[number - 1].value(of: .color).flatMap(Terminal.code(ofColor:)) ?? "33"
        }
        for (offset, scalar) in body.unicodeScalars.enumerated() {
            if closes[offset] != nil || opens[offset] != nil { flush() }
            for number in closes[offset] ?? [] { out += Terminal.style("⟧", markCode(number)) + superscript(number) }
            for number in opens[offset] ?? [] { out += Terminal.style("⟦", markCode(number)) }
            segment.append(scalar)
        }
        flush()
        for number in closes[body.unicodeScalars.count] ?? [] { out += Terminal.style("⟧", markCode(number)) + superscript(number) }
        return out
    }

    static func superscript(_ number: Int) -> String {
        let digits = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return String(number).map { digits[Int(String($0))!] }.joined()
    }
}
