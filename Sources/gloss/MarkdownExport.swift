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
        let scalars = Array(article.body.unicodeScalars)
        var cuts: Set<Int> = [0, scalars.count]
        for annotation in annotations {
            cuts.insert(min(Int(annotation.anchor.start), scalars.count))
            cuts.insert(min(Int(annotation.anchor.end), scalars.count))
        }
        let sorted = cuts.sorted()
        for (from, to) in zip(sorted, sorted.dropFirst()) {
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[from..<to])
            let covered = annotations.contains { Int($0.anchor.start) <= from && to <= Int($0.anchor.end) }
            // Marked a line at a time: a mark may not span a paragraph break.
            out +=
                covered
                ? String(piece).split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "<mark>\($0)</mark>" }
                    .joined(separator: "\n")
                : String(piece)
            for (number, annotation) in annotations.enumerated() where Int(annotation.anchor.end) == to {
                out += "[^\(number + 1)]"
            }
        }
        if !out.hasSuffix("\n") { out += "\n" }
        guard !annotations.isEmpty else { return out }
        out += "\n"
        for (number, annotation) in annotations.enumerated() {
            out += "[^\(number + 1)]: " + footnote(annotation) + "\n"
        }
        return out
    }

    /// The note (every value, when a conflict keeps several), then color and tags; the quote
    /// when there is no note.
    static func footnote(_ annotation: AnnotationState) -> String {
        let notes = annotation.registers[.note]?.values.map(\.value).filter { !$0.isEmpty } ?? []
        var parts: [String] = []
        parts.append(notes.isEmpty ? "“\(annotation.anchor.exact)”" : notes.joined(separator: " / "))
        if let color = annotation.value(of: .color), !color.isEmpty { parts.append("(\(color))") }
        if !annotation.tags.elements.isEmpty { parts.append(annotation.tags.elements.map { "#" + $0 }.joined(separator: " ")) }
        // A footnote's later lines are indented to stay in it.
        return parts.joined(separator: " ").split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ")
    }
}
