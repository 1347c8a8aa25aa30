import Foundation
import Testing

/// Text from outside is stored byte-exact (the JSON gives it back unchanged) but printed safely:
/// no plain-text output carries a raw escape, carriage return or bidi override to the terminal.
@Suite struct SafeTextTests {
    /// An ANSI color escape, a carriage return, a right-to-left override and a newline.
    static let hostile = "red \u{1B}[31malert\u{1B}[0m cr\rreturn \u{202E}desrever\u{202C} line\ntwo"
    static let otherHostile = "\u{1B}]0;title\u{07} \u{202E}gnp.exe\r\nthird"

    @Test func hostileTextRoundTripsThroughJSONAndIsEscapedInText() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore(name: "desk\u{1B}[2J")
        let article = try await sandbox.importArticle(
            try sandbox.copySample(),
            [
                "--title", "Title \u{202E}evil\r\u{1B}[1m", "--source", "src\u{1B}[4m", "--tag", "tag\u{1B}[5m",
            ])
        let annotation = try await sandbox.annotate(
            article, quote: "three generals",
            [
                "--note", Self.hostile, "--color", "\u{1B}[41myellow", "--tag", "t\u{202E}ag",
            ])

        // Byte-exact in JSON.
        let listed = try #require(try jsonArray(try await sandbox.ok("annotations", "--json")).first)
        #expect(string(listed, "note")?.unicodeScalars.elementsEqual(Self.hostile.unicodeScalars) == true, "\(listed)")
        #expect(string(listed, "color") == "\u{1B}[41myellow")
        #expect(listed["tags"] as? [String] == ["t\u{202E}ag"])
        let shown = try jsonObject(try await sandbox.ok("show", article, "--json"))
        #expect(string(shown, "title")?.unicodeScalars.elementsEqual("Title \u{202E}evil\r\u{1B}[1m".unicodeScalars) == true)
        #expect(string(shown, "source") == "src\u{1B}[4m")
        let inShow = try #require((shown["annotations"] as? [[String: Any]])?.first)
        #expect(string(inShow, "note")?.unicodeScalars.elementsEqual(Self.hostile.unicodeScalars) == true)
        let log = try jsonArray(try await sandbox.ok("log", annotation, "--json"))
        let operations = try #require(log.first?["operations"] as? [[String: Any]])
        #expect(operations.contains { ($0["value"] as? String)?.unicodeScalars.elementsEqual(Self.hostile.unicodeScalars) == true })

        // Escaped, on one line, in text; a list shows a note's first line.
        for command in [["annotations"], ["annotations", article], ["show", article], ["articles"], ["log"], ["status"], ["conflicts"]] {
            let result = try await sandbox.ok(arguments: command)
            expectNoRawControls(result)
        }
        let text = try await sandbox.ok("annotations")
        #expect(
            text.stdoutLines == [
                "\(annotation)  on \(article.prefix(12))  \"three generals\" — red \\u{1b}[31malert\\u{1b}[0m cr\\u{d}return \\u{202e}desrever\\u{202c} line…"
                    + " (\\u{1b}[41myellow) #t\\u{202e}ag"
            ], "\(text)")
        let show = try await sandbox.ok("show", article)
        #expect(show.stdoutLines.first == "Title \\u{202e}evil\\u{d}\\u{1b}[1m")
        #expect(show.stdoutLines.contains("    red \\u{1b}[31malert\\u{1b}[0m cr\\u{d}return \\u{202e}desrever\\u{202c} line"))
        #expect(show.stdoutLines.contains("    two"), "a note's lines are lines in show")
        let status = try await sandbox.ok("status")
        #expect(status.stdout.contains("desk\\u{1b}[2J ("))
    }

    @Test func conflictingHostileValuesAreListedSafely() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", Self.hostile, store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", Self.otherHostile, store: replicas.field)
        try await replicas.exchange()

        let conflicts = try await sandbox.ok("conflicts", store: replicas.desk)
        expectNoRawControls(conflicts)
        #expect(conflicts.stdoutLines.count == 3, "each value on one line: \(conflicts)")
        #expect(conflicts.stdout.contains("\"\\u{1b}]0;title\\u{7} \\u{202e}gnp.exe\\u{d}\\nthird\""))
        let json = try jsonArray(try await sandbox.ok("conflicts", "--json", store: replicas.field))
        let values = (json.first?["values"] as? [[String: Any]] ?? []).compactMap { string($0, "value") }
        #expect(Set(values.map { Array($0.unicodeScalars) }) == Set([Self.hostile, Self.otherHostile].map { Array($0.unicodeScalars) }))
        for command in [["annotations"], ["show", replicas.article], ["log"]] {
            expectNoRawControls(try await sandbox.ok(arguments: command, store: replicas.field))
        }
        // The refused merge names both values, escaped, on its one line.
        let merge = try await sandbox.gloss("resolve", replicas.annotation, "note", "--merge", store: replicas.desk)
        expectCleanFailure(merge, mentioning: ["\\u{1b}[31malert", "gnp.exe"])
        expectNoRawControls(merge)
    }

    @Test func anArticleBodyIsStoredExactlyAndShownSafely() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let body =
            "Headline with \u{1B}[31mcolor\u{1B}[0m\nA line with a \u{202E}reversal\u{202C} and a\ttab.\nA bell \u{07} and a\u{2028}separator."
        let article = try await sandbox.importArticle(try sandbox.write("hostile.txt", body))
        let shown = try jsonObject(try await sandbox.ok("show", article, "--json"))
        #expect(string(shown, "body")?.unicodeScalars.elementsEqual(body.unicodeScalars) == true)
        let annotation = try await sandbox.annotate(article, quote: "\u{202E}reversal")
        let text = try await sandbox.ok("show", article)
        expectNoRawControls(text)
        #expect(text.stdout.contains("Headline with \\u{1b}[31mcolor\\u{1b}[0m\nA line with a ⟦\\u{202e}reversal⟧¹\\u{202c} and a\ttab.\n"))
        #expect(text.stdout.contains("A bell \\u{7} and a\\u{2028}separator."))
        #expect(text.stdout.contains(annotation))
    }

    @Test func errorMessagesEscapeWhatTheyQuote() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let quote = try await sandbox.gloss("annotate", article, "--quote", Self.hostile)
        expectCleanFailure(quote, mentioning: ["does not contain \"red \\u{1b}[31malert"])
        expectNoRawControls(quote)
        let file = try await sandbox.gloss("import", "evil\u{1B}[8m\nname.txt")
        expectCleanFailure(file, mentioning: ["evil\\u{1b}[8m\\nname.txt", "no such file"])
        expectNoRawControls(file)
    }
}

/// No raw ESC (0x1B), CR (0x0D) or RIGHT-TO-LEFT OVERRIDE (U+202E, E2 80 AE) in stdout or stderr.
func expectNoRawControls(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) {
    for (name, bytes) in [("stdout", result.stdoutBytes), ("stderr", result.stderrBytes)] {
        let override: [UInt8] = [0xE2, 0x80, 0xAE]
        let hasOverride = bytes.indices.contains { bytes[$0...].starts(with: override) }
        #expect(
            !bytes.contains(0x1B) && !bytes.contains(0x0D) && !hasOverride,
            "raw control bytes in \(name): \(result)", sourceLocation: sourceLocation)
    }
}
