import Foundation

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

    private static func escape(_ text: String, keep: Set<Unicode.Scalar>) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if keep.contains(scalar) || !isDangerous(scalar) {
                out.append(scalar)
            } else {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
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

    /// True when stdout is a terminal that shows color (TERM is not `dumb`) and NO_COLOR is
    /// unset (no-color.org): the only time to use color.
    static var usesColor: Bool {
        let environment = ProcessInfo.processInfo.environment
        return isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
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
