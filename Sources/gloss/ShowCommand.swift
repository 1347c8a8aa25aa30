import ArgumentParser
import GlossCore

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an article's text with its highlights and notes.",
        discussion: """
            Highlights are marked ⟦like this⟧¹ and their notes listed below the text. An article \
            revised since an annotation was made shows it where re-anchoring found it: moved, \
            fuzzy (the quoted words changed) or, when it could not be placed with confidence, \
            orphaned, listed apart and never drawn at a guessed place.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The article id (or a unique prefix).") var articleID: String
    @Option(help: "Show this revision (1 is the first text; see 'gloss revisions') instead of the current one.") var revision: Int?

    func run() async throws {
        let store = try storeOptions.openForReading()
        let id = try reportingErrors { try store.resolve(prefix: articleID) }
        guard id.kind == .article else { throw CLIError("\(id.id.hex) is an annotation; 'gloss show' takes an article") }
        let state = try reportingErrors { try store.state(ofArticle: id.id) }
        let article = state.articles[id.id]!
        let history = article.revisionHistory
        let shownRevision: EntityID
        if let revision {
            guard revision >= 1, revision <= history.count else {
                throw CLIError("article \(article.id.hex) has \(counted(history.count, "revision")); there is no revision \(revision)")
            }
            shownRevision = history[revision - 1]
        } else {
            shownRevision = article.currentRevision
        }
        let number = history.firstIndex(of: shownRevision)! + 1
        var placer = AnchorPlacer(article: article, revision: shownRevision)
        let placed = state.liveAnnotations(of: id.id).map { ($0, placer.place($0)) }
        // Reading order of where they are shown; orphans after, in the order they were made on.
        let drawn = placed.filter { $0.1.range != nil }.sorted {
            ($0.1.range!.lowerBound, $0.1.range!.upperBound, $0.0.id) < ($1.1.range!.lowerBound, $1.1.range!.upperBound, $1.0.id)
        }
        let orphans = placed.filter { $0.1.range == nil }
        let body = article.text(of: shownRevision)!
        if output.json {
            return try printJSON(
                ArticleDetail(
                    id: article.id.hex, title: article.value(of: .title) ?? "", source: OrNull(article.value(of: .source)),
                    tags: article.tags.elements, body: body, revision: shownRevision.hex, revisionNumber: number, revisions: history.count,
                    archived: article.isArchived, conflicts: article.fieldsInConflict,
                    annotations: (drawn + orphans).map { AnnotationSummary($0.0, shown: $0.1) }
                ))
        }
        var out: [String] = []
        func print(_ line: String = "") { out.append(line) }
        defer { Pager.show(out.joined(separator: "\n")) }
        print(Terminal.style(Terminal.singleLine(article.value(of: .title) ?? "(untitled)"), "1"))
        var facts = ["id \(article.id.hex)"]
        if history.count > 1 {
            facts.append(
                "revision \(number) of \(history.count)\(shownRevision == article.currentRevision ? "" : " (not the current one)")")
        }
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
        print(Self.highlighted(body, drawn.map { ($0.0, $0.1.range!) }))
        for (number, (annotation, shown)) in drawn.enumerated() {
            if number == 0 { print() }
            printAnnotation(annotation, shown, label: "[\(number + 1)]", print)
        }
        guard !orphans.isEmpty else { return }
        print()
        print(
            Terminal.style(
                "Orphaned: \(counted(orphans.count, "annotation")) whose passage this revision no longer holds, or not surely once; 'gloss reanchor ID --quote ...' places one.",
                "31"))
        for (annotation, shown) in orphans { printAnnotation(annotation, shown, label: "[-]", print) }
    }

    private func printAnnotation(_ annotation: AnnotationState, _ shown: ShownAnchor, label: String, _ print: (String) -> Void) {
        let summary = AnnotationSummary(annotation, shown: shown)
        var line = "\(label) \"\(Terminal.singleLine(summary.exact))\""
        if let marker = shown.marker { line += " " + Terminal.style(marker, shown.state == .orphaned ? "31" : "36") }
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

    /// The body with ⟦ ⟧ around each highlight and its number after it; markers that fall on
    /// the same place keep reading order, so overlapping highlights stay legible.
    static func highlighted(_ body: String, _ annotations: [(AnnotationState, Range<Int>)]) -> String {
        var opens: [Int: [Int]] = [:]
        var closes: [Int: [Int]] = [:]
        for (index, (_, range)) in annotations.enumerated() {
            opens[range.lowerBound, default: []].append(index + 1)
            closes[range.upperBound, default: []].append(index + 1)
        }
        var out = ""
        var segment = String.UnicodeScalarView()
        func flush() {
            out += Terminal.safe(String(segment))
            segment = String.UnicodeScalarView()
        }
        // Each highlight's marks in its own color where the terminal has it, else yellow.
        func markCode(_ number: Int) -> String {
            annotations[number - 1].0.value(of: .color).flatMap(Terminal.code(ofColor:)) ?? "33"
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
