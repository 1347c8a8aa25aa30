import Foundation
import GlossCore

/// Makes text from outside harmless on a terminal: it is stored byte-exact, but printed with
/// control, escape and bidirectional-override characters shown as visible `\u{…}` escapes, so
/// a note cannot move the cursor, recolor the screen or reorder what is shown.
enum Terminal {
    /// For text shown as a block (an article body): keeps newlines and tabs.
    static func safe(_ text: String) -> String { escape(text, keep: ["\n", "\t"]) }

    /// For text shown inside one line (titles, notes in lists): newlines become `\n`.
    static func singleLine(_ text: String) -> String {
        escape(text, keep: []).replacingOccurrences(of: "\\u{a}", with: "\\n")
    }

    /// The start of a text for a list: its first line that is not blank, at most `limit`
    /// characters, with `…` when anything visible was left out ('gloss show' shows the whole
    /// text, its lines as lines). Lines end where `show` ends them, at a line feed.
    static func excerpt(_ text: String, limit: Int) -> String {
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        let firstLine = lines.first { !$0.allSatisfy(\.isWhitespace) } ?? lines[0]
        let shown = firstLine.count > limit ? firstLine.prefix(limit - 1) : firstLine
        let rest = text[shown.endIndex...]
        return singleLine(String(shown)) + (rest.allSatisfy(\.isWhitespace) ? "" : "…")
    }

    private static func escape(_ text: String, keep: Set<Unicode.Scalar>) -> String {
        escaping(text, where: { !keep.contains($0) }, as: { "\\u{\(String($0.value, radix: 16))}" })
    }

    /// JSON for a terminal: the scalars `isDangerous` names that JSON leaves raw (DEL, C1, bidi
    /// controls, line separators; C0 is escaped by the encoder already) as `\uXXXX` escapes,
    /// which every JSON reader turns back into the same text.
    static func safeJSON(_ json: String) -> String {
        escaping(json, where: { $0.value > 0x1F }, as: { String(format: "\\u%04x", $0.value) })
    }

    /// `text` with each dangerous scalar that `applies` written as `escaped` gives it.
    private static func escaping(_ text: String, where applies: (Unicode.Scalar) -> Bool, as escaped: (Unicode.Scalar) -> String)
        -> String
    {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isDangerous(scalar) && applies(scalar) {
                out.append(contentsOf: escaped(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func isDangerous(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1 (CSI and friends)
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true  // bidi controls
        case 0x2028, 0x2029: true  // line and paragraph separators
        default: false
        }
    }

    /// Whether to use color, by the common conventions (`--color` belongs to highlights, so
    /// there is no flag): never with `NO_COLOR` set (no-color.org); always with `CLICOLOR_FORCE`
    /// set to anything but 0 (even through a pipe or a pager); otherwise when stdout is a
    /// terminal that shows color (`TERM` is not `dumb`).
    static var usesColor: Bool {
        let environment = ProcessInfo.processInfo.environment
        if environment["NO_COLOR"].map({ !$0.isEmpty }) == true { return false }
        if let force = environment["CLICOLOR_FORCE"], !force.isEmpty, force != "0" { return true }
        return isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb"
    }

    /// The ANSI foreground code of a highlight color a terminal can draw, if it is one of the
    /// eight named colors (any case); other names are shown as text only.
    static func code(ofColor name: String) -> String? {
        let codes = ["black": "30", "red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36", "white": "37"]
        return codes[name.lowercased()]
    }

    static func style(_ text: String, _ code: String) -> String {
        usesColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Rewrites one progress line on stderr (a terminal only); nil clears it.
    static func progress(_ line: String?) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + (line ?? "")).utf8))
    }

    /// Writes a line to stderr: progress and notes that are not the command's output.
    static func note(_ line: String) {
        fflush(nil)  // stdout first, so output and notes keep their order even when piped
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// What a summary line adds when a sync or a bundle brought conflicts: nothing when it did not.
func newConflictsNote(_ count: Int) -> String {
    count > 0 ? "; \(counted(count, "new conflict")) (see 'gloss conflicts')" : ""
}
