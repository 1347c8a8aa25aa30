import Foundation

/// Long output on a terminal: wrapped to its width and, when longer than the screen, shown
/// through `$PAGER` (else `less -R`), as git does. Anywhere else, printed as it is.
enum Pager {
    /// The terminal's size, when stdout is one.
    static var terminalSize: (columns: Int, rows: Int)? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// Prints `text` (lines already made terminal-safe), wrapped and paged on a terminal.
    static func show(_ text: String) {
        guard let size = terminalSize else { return print(text) }
        let wrapped = wrap(text, width: size.columns)
        let lines = wrapped.split(separator: "\n", omittingEmptySubsequences: false).count
        guard lines >= size.rows, page(wrapped) else { return print(wrapped) }
    }

    /// Runs the pager on `text`; false when there is none to run (then the caller prints).
    private static func page(_ text: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        let command = environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -R"
        if command == "cat" { return false }
        let pager = Process()
        pager.executableURL = URL(fileURLWithPath: "/bin/sh")
        pager.arguments = ["-c", command]
        var pagerEnvironment = environment
        if pagerEnvironment["LESS"] == nil { pagerEnvironment["LESS"] = "FRX" }  // as git: quit if one screen, keep colors
        pager.environment = pagerEnvironment
        let input = Pipe()
        pager.standardInput = input
        guard (try? pager.run()) != nil else { return false }
        // A pager quit early (q) closes the pipe: that is not an error.
        signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: Data((text + "\n").utf8))
        try? input.fileHandleForWriting.close()
        pager.waitUntilExit()
        return true
    }

    /// Each line wider than `width` visible characters (escape sequences take no room) cut at
    /// spaces; its continuations keep its indent. A line that fits is left exactly as it is; a
    /// single word wider than the screen is left for the terminal to fold.
    static func wrap(_ text: String, width: Int) -> String {
        guard width > 10 else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrapLine($0, width: width) }
            .joined(separator: "\n")
    }

    static func wrapLine(_ line: Substring, width: Int) -> [String] {
        let indent = String(line.prefix { $0 == " " })
        let words = line.dropFirst(indent.count).split(separator: " ")
        guard visibleWidth(line) > width, !words.isEmpty else { return [String(line)] }
        var lines: [String] = []
        var (current, currentWidth, hasWord) = (indent, indent.count, false)
        for word in words {
            let wordWidth = visibleWidth(word)
            if hasWord && currentWidth + 1 + wordWidth > width {
                lines.append(current)
                (current, currentWidth, hasWord) = (indent, indent.count, false)
            }
            if hasWord {
                current += " "
                currentWidth += 1
            }
            current += word
            currentWidth += wordWidth
            hasWord = true
        }
        lines.append(current)
        return lines
    }

    /// Characters shown, not counting ANSI escape sequences (ESC [ ... letter).
    static func visibleWidth(_ text: Substring) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar.properties.isAlphabetic { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else if !scalar.properties.isGraphemeExtend {
                width += 1
            }
        }
        return width
    }
}
