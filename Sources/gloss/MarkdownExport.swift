import GlossCore

/// An article as Markdown for a draft: its title as a heading, its source, then its text with
/// each highlighted passage between `<mark>` and `</mark>` and a footnote reference after it,
/// and the notes (with color and tags) as footnotes in reading order.
///
/// Highlights may overlap: the text is cut at every start and end, each piece covered by any
/// highlight is marked, and a highlight's footnote reference follows the piece it ends on.
/// The article's text is left as it is (it is the reporter's own Markdown or plain text); a
/// note's line breaks are kept as indented continuation lines of its footnote.
enum MarkdownExport {
    static func render(_ article: ArticleState, annotations: [AnnotationState]) -> String {
        var out = "# " + (article.value(of: .title) ?? "(untitled)").replacingOccurrences(of: "\n", with: " ") + "\n\n"
        if let source = article.value(of: .source), !source.isEmpty { out += "Source: \(source)\n\n" }
        let scalars = Array(article.currentBody.unicodeScalars)
        var cuts: Set<Int> = [0, scalars.count]
        for annotation in annotations {
            cuts.insert(min(Int(annotation.anchor.start), scalars.count))
            cuts.insert(min(Int(annotation.anchor.end), scalars.count))
        }
        let sorted = cuts.sorted()
        for (from, to) in zip(sorted, sorted.dropFirst()) {
            let piece = String(String.UnicodeScalarView(scalars[from..<to]))
            let covered = annotations.contains { Int($0.anchor.start) <= from && to <= Int($0.anchor.end) }
            let references = annotations.indices.filter { min(Int(annotations[$0].anchor.end), scalars.count) == to }
                .map { "[^\($0 + 1)]" }.joined()
            // A reference goes before the line breaks a highlight ends with, on its own line.
            let body = piece.replacing(/\n+$/, with: "")
            let breaks = String(piece.dropFirst(body.count))
            let startsLine = from == 0 || scalars[from - 1] == "\n"
            out += (covered ? marked(body, startsLine: startsLine) : body) + references + breaks
        }
        if !out.hasSuffix("\n") { out += "\n" }
        guard !annotations.isEmpty else { return out }
        out += "\n"
        for (number, annotation) in annotations.enumerated() {
            out += "[^\(number + 1)]: " + footnote(annotation) + "\n"
        }
        return out
    }

    /// `text` between `<mark>` and `</mark>` a line at a time (a mark may not span a paragraph
    /// break), opened after a line's leading indentation and block marker (`#`, `>`, `-`, `*`,
    /// `+`, `1.`) so that headings, quotes and lists stay what they are.
    static func marked(_ text: String, startsLine: Bool) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { number, line in
            guard !line.isEmpty else { return "" }
            let lead =
                number > 0 || startsLine ? line.prefixMatch(of: /[ \t]*(?:#+ |> |[-*+] |[0-9]+\. )?/).map { String($0.output) } ?? "" : ""
            let rest = line.dropFirst(lead.count)
            return rest.isEmpty ? String(line) : lead + "<mark>\(rest)</mark>"
        }.joined(separator: "\n")
    }

    /// The note (every value, when a conflict keeps several), then color and tags; the quote
    /// when there is no note.
    static func footnote(_ annotation: AnnotationState) -> String {
        let notes = annotation.notes
        var parts: [String] = []
        parts.append(notes.isEmpty ? "“\(annotation.anchor.exact)”" : notes.joined(separator: " / "))
        if let color = annotation.shownColor { parts.append("(\(color))") }
        if !annotation.tags.elements.isEmpty { parts.append(annotation.tags.elements.map { "#" + $0 }.joined(separator: " ")) }
        // A footnote's later lines are indented to stay in it.
        return parts.joined(separator: " ").split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ")
    }
}
