/// The rules for an article's text: how imported text is normalized, how its id is derived,
/// and what its title defaults to.
///
/// Import normalizes only what differs between machines without differing for a reader: a UTF-8
/// byte order mark is dropped, CRLF and lone CR line endings become LF, and trailing white space
/// at the very end is trimmed. Everything else is kept byte for byte. The article id is the first
/// 16 bytes of SHA-256 over that normalized text, so the same article imported on two replicas
/// is one article.
public enum ArticleText {
    public static func normalized(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        var pendingCarriageReturn = false
        var isFirst = true
        while let scalar = iterator.next() {
            defer { isFirst = false }
            if isFirst && scalar == "\u{FEFF}" { continue }
            if pendingCarriageReturn {
                pendingCarriageReturn = false
                scalars.append("\n")
                if scalar == "\n" { continue }
            }
            if scalar == "\r" {
                pendingCarriageReturn = true
                continue
            }
            scalars.append(scalar)
        }
        if pendingCarriageReturn { scalars.append("\n") }
        while let last = scalars.last, last.properties.isWhitespace {
            scalars.removeLast()
        }
        return String(scalars)
    }

    /// The id of an article whose normalized text is `body`.
    public static func id(of body: String) -> EntityID {
        ID128.hashing(domain: "gloss-article", Array(body.utf8))
    }

    /// The first line, or its first sentence when that is shorter, trimmed and cut to 200
    /// characters: a reasonable title for text that has none of its own. In Markdown, a
    /// heading's `#` marks are dropped.
    public static func defaultTitle(of body: String, markdown: Bool = false) -> String {
        let firstLine =
            body.split(separator: "\n", omittingEmptySubsequences: true)
            .first { !$0.allSatisfy(\.isWhitespace) } ?? ""
        var line = String(firstLine).trimmingWhitespace()
        if markdown, let heading = line.firstIndex(where: { $0 != "#" }), heading > line.startIndex, line[heading] == " " {
            line = String(line[heading...]).trimmingWhitespace()  // "## Heading" -> "Heading"
        }
        if let end = sentenceEnd(in: line) { line = String(line[..<end]) }
        return line.count > 200 ? String(line.prefix(199)) + "…" : line
    }

    /// Words whose trailing period does not end a sentence.
    private static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "st", "sen", "rep", "gov", "gen", "lt", "col", "jr", "sr", "prof", "no", "vs",
    ]

    /// The index just past the first sentence of a line, if it has more than one: a ".", "!" or
    /// "?" followed by a space and a capital letter or quote, not ending an abbreviation such as
    /// "U.S." or "Dr.".
    private static func sentenceEnd(in line: String) -> String.Index? {
        let characters = Array(line)
        var offset = 0
        while offset + 2 < characters.count {
            defer { offset += 1 }
            guard ".!?".contains(characters[offset]), characters[offset + 1] == " " else { continue }
            let next = characters[offset + 2]
            guard next.isUppercase || "\"“'‘«".contains(next) else { continue }
            if characters[offset] == "." {
                let word = String(characters[..<offset].reversed().prefix { !$0.isWhitespace }.reversed())
                if word.count < 2 || word.contains(".") || abbreviations.contains(word.lowercased()) { continue }
            }
            return line.index(line.startIndex, offsetBy: offset + 1)
        }
        return nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
