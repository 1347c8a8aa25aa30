import Foundation
import GlossTestSupport
import Testing

/// Issue 11's rough edges that a working day meets: long notes from a file or standard input,
/// articles piped in, `.markdown`, removing a color, and `conflicts --exit-code`.
@Suite struct DailyUseTests {
    /// Runs `gloss arguments --store store` with `input` on standard input.
    static func run(_ sandbox: Sandbox, _ arguments: [String], input: String) async throws -> CommandResult {
        let stdin = try sandbox.write("stdin-\(UUID().uuidString).txt", input)
        let gloss = try GlossBinary.require()
        let command = ([gloss] + arguments + ["--store", sandbox.store]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try await sandbox.finish(
            try sandbox.start(
                executable: "/bin/sh", ["-c", command.joined(separator: " ") + " < '\(stdin)'"], environment: sandbox.environment))
    }

    @Test func aLongNoteComesFromAFileOrStandardInput() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        // Past the 128 KiB a single argument may hold on Linux.
        let long = (0..<4_000).map { "Line \($0) of the interview transcript with the source." }.joined(separator: "\n")
        let file = try sandbox.write("transcript.txt", long + "\n")
        let id = try await sandbox.annotate(article, quote: "three generals", ["--note-file", file])
        let stored = try jsonArray(try await sandbox.ok("annotations", "--json")).first.flatMap { string($0, "note") }
        #expect(stored == long, "the file's text, without its final line break")

        let piped = try await Self.run(sandbox, ["edit", id, "--note-file", "-"], input: "Confirmed by phone.\n")
        #expect(piped.succeeded, "\(piped)")
        #expect(try jsonArray(try await sandbox.ok("annotations", "--json")).first.flatMap { string($0, "note") } == "Confirmed by phone.")

        expectCleanFailure(try await sandbox.gloss("edit", id, "--note", "a", "--note-file", file), mentioning: ["not both"])
        expectCleanFailure(try await sandbox.gloss("edit", id, "--note-file", "missing.txt"), mentioning: ["missing.txt: no such file"])
    }

    @Test func articlesComeFromStandardInputOrMarkdownFiles() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let piped = try await Self.run(sandbox, ["import", "-", "--title", "Piped"], input: "Text that arrived through a pipe.\n")
        #expect(piped.succeeded && piped.stdoutLines.count == 1, "\(piped)")
        let markdown = try sandbox.write("brief.markdown", "# The brief\n\nThe council voted on Tuesday.\n")
        let imported = try jsonArray(try await sandbox.ok("import", markdown, "--json"))
        #expect(imported.first.flatMap { string($0, "title") } == "The brief", "a .markdown heading's # marks are dropped")
        let titles = try jsonArray(try await sandbox.ok("articles", "--json")).compactMap { string($0, "title") }
        #expect(Set(titles) == ["Piped", "The brief"])
        let empty = try await Self.run(sandbox, ["import", "-"], input: "  \n")
        expectCleanFailure(empty, mentioning: ["cannot import standard input: it is empty"])
    }

    @Test func aColorCanBeRemovedAndBlankValuesAreRefused() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let id = try await sandbox.annotate(article, quote: "three generals", ["--color", "red"])
        try await sandbox.ok("edit", id, "--remove-color")
        let listed = try jsonArray(try await sandbox.ok("annotations", "--json"))
        #expect(listed.first?["color"] is NSNull, "\(listed)")
        #expect(!(try await sandbox.ok("annotations")).stdout.contains("()"))
        expectCleanFailure(try await sandbox.gloss("edit", id, "--color", ""), mentioning: ["--color needs a name", "--remove-color"])
        expectCleanFailure(try await sandbox.gloss("edit", article, "--title", " "), mentioning: ["--title needs some text"])
        expectCleanFailure(
            try await sandbox.gloss("import", try sandbox.write("other.txt", "Other text."), "--title", ""),
            mentioning: ["a title needs some text"])
        expectCleanFailure(
            try await sandbox.gloss("annotate", article, "--quote", "Kursk Oblast", "--occurrence", "1", "--color", " "),
            mentioning: ["a color needs a name"])
    }

    @Test func conflictsExitCodeSaysWhetherThereAreAny() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        let clean = try await sandbox.gloss("conflicts", "--exit-code", store: replicas.desk)
        #expect(clean.status == 0 && clean.stdout.isEmpty && clean.stderr.contains("No conflicts."))
        try await sandbox.ok("edit", replicas.annotation, "--note", "desk says", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "field says", store: replicas.field)
        try await replicas.exchange()
        let conflicted = try await sandbox.gloss("conflicts", "--exit-code", store: replicas.desk)
        #expect(conflicted.status == 1 && conflicted.stdout.contains("field says") && conflicted.stderr.isEmpty, "\(conflicted)")
        let json = try await sandbox.gloss("conflicts", "--exit-code", "--json", store: replicas.desk)
        #expect(json.status == 1 && json.stdout.hasPrefix("["))
        #expect(try await sandbox.gloss("conflicts", store: replicas.desk).status == 0, "without the flag, listing is success")
    }

    @Test func listsShowArticlesConflictsAndCutLongNotes() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.article, "--title", "Desk title", store: replicas.desk)
        try await sandbox.ok("edit", replicas.article, "--title", "Field title", store: replicas.field)
        let long = String(repeating: "A long note that goes on. ", count: 20)
        try await sandbox.ok("edit", replicas.annotation, "--note", long, store: replicas.desk)
        try await replicas.exchange()

        let articles = try await sandbox.ok("articles", store: replicas.desk)
        #expect(articles.stdout.contains("[conflict: title]"), "\(articles.stdout)")
        #expect(
            try jsonArray(try await sandbox.ok("articles", "--json", store: replicas.desk)).first?["conflicts"] as? [String] == ["title"])
        let shown = try await sandbox.ok("show", replicas.article, store: replicas.desk)
        #expect(shown.stdoutLines.dropFirst().first?.contains("[conflict: title; see 'gloss conflicts']") == true, "\(shown.stdout)")

        let listed = try await sandbox.ok("annotations", store: replicas.desk)
        let line = try #require(listed.stdoutLines.first)
        #expect(line.hasPrefix("\(replicas.annotation)  on \(replicas.article.prefix(12))  \"Kursk Oblast\""), "\(line)")
        #expect(line.contains("A long note that goes on.") && line.contains("…") && !line.contains(long), "cut in a list")
        #expect(shown.stdout.contains(long.trimmingCharacters(in: .whitespaces)), "whole in show")
        let ofOne = try await sandbox.ok("annotations", replicas.article, store: replicas.desk)
        #expect(
            ofOne.stdoutLines.first?.hasPrefix("\(replicas.annotation)  \"Kursk Oblast\"") == true,
            "one article's list needs no article column")
    }

    @Test func verifyChecksTheFileTheSignaturesAndTheStateAgainstTheLog() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", "field note", store: replicas.field)
        try await replicas.exchange()
        let ok = try await sandbox.ok("verify", store: replicas.desk)
        #expect(ok.stdout.hasPrefix("ok: the file is sound") && ok.stdout.contains("by 2 authors"), "\(ok.stdout)")
        let json = try jsonObject(try await sandbox.ok("verify", "--json", store: replicas.desk))
        #expect(json["ok"] as? Bool == true && (json["problems"] as? [Any])?.isEmpty == true)

        // Someone edits the state rows behind the log's back: verify says so, and exits 1.
        try await sqlite(replicas.desk, "UPDATE register_value SET value = 'tampered' WHERE field = 'note'")
        let tampered = try await sandbox.gloss("verify", store: replicas.desk)
        #expect(tampered.status == 1 && tampered.stdout.isEmpty, "\(tampered)")
        #expect(tampered.stderr.contains("the stored state differs from the state the log gives"), "\(tampered.stderr)")

        // ... or the log itself: the author's signature no longer holds.
        try await sqlite(replicas.field, "UPDATE operation SET value = 'forged' WHERE kind = 'set' AND name = 'note'")
        let forged = try await sandbox.gloss("verify", store: replicas.field)
        #expect(forged.status == 1 && forged.stderr.contains("the signatures do not hold"), "\(forged.stderr)")
    }

    /// Runs SQL on a store file with the system's sqlite3 module (Python), as someone with access
    /// to the disk could.
    func sqlite(_ store: String, _ sql: String) async throws {
        let edit = Process()
        edit.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        edit.arguments = [
            "python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", store, sql,
        ]
        try edit.run()
        await onAThreadOfItsOwn { edit.waitUntilExit() }
        try #require(edit.terminationStatus == 0)
    }

    @Test func backupCopiesAStoreThatKeepsWorking() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        let copy = sandbox.path("backups/desk-copy.sqlite")
        try FileManager.default.createDirectory(atPath: sandbox.path("backups"), withIntermediateDirectories: false)
        // A server keeps the store open (and may write) while the copy is taken.
        let (server, _) = try await sandbox.serve(replicas.desk)
        defer { server.kill() }
        try await sandbox.ok("backup", copy, store: replicas.desk)
        let attributes = try FileManager.default.attributesOfItem(atPath: copy)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try await sandbox.ok("verify", store: copy).stdout.hasPrefix("ok:"))
        let original = try jsonObject(try await sandbox.ok("status", "--json", store: replicas.desk))
        let copied = try jsonObject(try await sandbox.ok("status", "--json", store: copy))
        #expect(string(original, "digest") == string(copied, "digest") && string(original, "store") == string(copied, "store"))
        expectCleanFailure(try await sandbox.gloss("backup", copy, store: replicas.desk), mentioning: ["a store already exists at \(copy)"])
        let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.path("backups"))
        #expect(!left.contains { $0.contains("gloss-backup") }, "no partial file left: \(left)")
    }

    @Test func aDeletedAnnotationCanBeRestoredAndTheRestoreSyncs() async throws {
        let replicas = try await TwoReplicas.make(note: "keep this note")
        let sandbox = replicas.sandbox
        try await sandbox.ok("delete", replicas.annotation, store: replicas.desk)
        try await replicas.exchange()
        #expect(try jsonArray(try await sandbox.ok("annotations", "--json", store: replicas.field)).isEmpty)
        let deleted = try jsonArray(try await sandbox.ok("annotations", "--deleted", "--json", store: replicas.field))
        #expect(deleted.map { string($0, "id") } == [replicas.annotation])

        try await sandbox.ok("restore", String(replicas.annotation.prefix(8)), store: replicas.field)
        try await replicas.exchange()
        for store in [replicas.desk, replicas.field] {
            let listed = try jsonArray(try await sandbox.ok("annotations", "--json", store: store))
            #expect(listed.map { string($0, "id") } == [replicas.annotation])
            #expect(
                listed.first.map { string($0, "note") == "keep this note" && string($0, "color") == "yellow" } == true, "all of it back")
        }
        try await replicas.expectConverged()
        expectCleanFailure(try await sandbox.gloss("restore", replicas.annotation, store: replicas.desk), mentioning: ["is not deleted"])
        expectCleanFailure(try await sandbox.gloss("restore", replicas.article, store: replicas.desk), mentioning: ["is an article"])
    }

    /// An archived article leaves the lists (not search, not show), syncs, and comes back;
    /// archiving and unarchiving it on two replicas at once is a conflict resolved as any other.
    @Test func anArchivedArticleLeavesTheListsSyncsAndComesBack() async throws {
        let replicas = try await TwoReplicas.make(note: "archived with its article")
        let sandbox = replicas.sandbox
        #expect(
            try await sandbox.ok("archive", String(replicas.article.prefix(8)), store: replicas.desk).stdout
                == "Archived article \(replicas.article).\n")
        let articles = try await sandbox.ok("articles", store: replicas.desk)
        #expect(articles.stdout.isEmpty && articles.stderr.contains("1 archived article not shown"), "\(articles)")
        let annotations = try await sandbox.ok("annotations", store: replicas.desk)
        #expect(
            annotations.stdout.isEmpty && annotations.stderr.contains("1 annotation on an archived article is not listed"), "\(annotations)"
        )
        let archived = try jsonArray(try await sandbox.ok("articles", "--archived", "--json", store: replicas.desk))
        #expect(archived.map { string($0, "id") } == [replicas.article] && archived.first?["archived"] as? Bool == true)
        #expect(try await sandbox.ok("show", replicas.article, store: replicas.desk).stdout.contains("[archived]"))
        #expect(try await sandbox.ok("search", "archived", store: replicas.desk).stdout.contains("(archived)"))
        #expect(try await sandbox.ok("annotations", replicas.article, store: replicas.desk).stdout.contains("archived with its article"))
        expectCleanFailure(try await sandbox.gloss("archive", replicas.annotation, store: replicas.desk), mentioning: ["is an annotation"])

        try await replicas.exchange()
        #expect(try jsonArray(try await sandbox.ok("articles", "--archived", "--json", store: replicas.field)).count == 1)
        #expect(try await sandbox.ok("archive", replicas.article, store: replicas.field).stdout.contains("is already archived"))

        // The desk brings it back while the field, not knowing, writes its title.
        try await sandbox.ok("unarchive", replicas.article, store: replicas.desk)
        try await sandbox.ok("edit", replicas.article, "--title", "Kept", store: replicas.field)
        try await replicas.exchange()
        for store in [replicas.desk, replicas.field] {
            let listed = try jsonArray(try await sandbox.ok("articles", "--json", store: store))
            #expect(listed.map { string($0, "title") } == ["Kept"] && listed.first?["archived"] as? Bool == false, "\(listed)")
        }
        try await replicas.expectConverged()

        // Archived on one, unarchived on the other, at once: a conflict of "archived".
        try await sandbox.ok("archive", replicas.article, store: replicas.desk)
        try await replicas.exchange()
        try await sandbox.ok("unarchive", replicas.article, store: replicas.desk)
        try await sandbox.ok("edit", replicas.article, "--title", "Kept again", store: replicas.field)
        try await sandbox.ok("archive", replicas.article, store: replicas.field)  // already: writes nothing
        try await sandbox.ok("unarchive", replicas.article, store: replicas.field)
        try await sandbox.ok("archive", replicas.article, store: replicas.field)
        try await replicas.exchange()
        let conflicts = try jsonArray(try await sandbox.ok("conflicts", "--json", store: replicas.desk))
        #expect(conflicts.map { string($0, "field") } == ["archived"], "\(conflicts)")
        try await sandbox.ok("resolve", replicas.article, "archived", "--pick", "1", store: replicas.desk)
        try await replicas.exchange()
        try await replicas.expectConverged()
        #expect(try jsonArray(try await sandbox.ok("conflicts", "--json", store: replicas.field)).isEmpty)
    }

    /// On a terminal, show wraps to its width and goes through the pager when longer than the
    /// screen; through a pipe it prints the text as it is (`script` gives it a terminal).
    @Test func showWrapsAndPagesOnATerminalOnly() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        _ = try await sandbox.annotate(
            article, quote: "three generals", ["--note", "First line.\nA second line that is long enough to wrap at forty columns."])
        func onTerminal(columns: Int, rows: Int, pager: String) async throws -> CommandResult {
            let command =
                "stty cols \(columns) rows \(rows); PAGER=\(CommandResult.quoted(pager)) "
                + ([try GlossBinary.require(), "show", article, "--store", sandbox.store].map(CommandResult.quoted).joined(separator: " "))
            return try await sandbox.finish(
                try sandbox.start(executable: "/usr/bin/script", ["-qfec", command, "/dev/null"], environment: sandbox.environment))
        }
        let wide = try await onTerminal(columns: 40, rows: 500, pager: "false")
        let lines = wide.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
        #expect(wide.succeeded && lines.count > 20 && lines.allSatisfy { $0.count <= 40 }, "\(wide)")
        #expect(lines.contains("    First line.") && lines.contains("    A second line that is long enough to"), "\(lines.suffix(6))")

        let paged = try await onTerminal(columns: 80, rows: 10, pager: "echo paged; wc -l")
        #expect(paged.stdout.contains("paged") && !paged.stdout.contains("three generals"), "longer than the screen: the pager got it")

        let piped = try await sandbox.ok("show", article)
        #expect(piped.stdout.contains("    A second line that is long enough to wrap at forty columns."), "no wrapping through a pipe")
    }

    /// Color follows NO_COLOR, CLICOLOR_FORCE and TERM=dumb, and a highlight is drawn in its own
    /// color when it names one a terminal has.
    @Test func colorFollowsTheConventionsAndHighlightsTakeTheirColor() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        _ = try await sandbox.annotate(article, quote: "three generals", ["--color", "Red"])
        _ = try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "1", "--color", "teal"])
        func show(_ variables: [String: String?]) async throws -> String {
            var environment = sandbox.environment
            for (name, value) in variables { environment[name] = value }
            let result = try await sandbox.finish(
                try sandbox.start(
                    executable: try GlossBinary.require(), ["show", article, "--store", sandbox.store], environment: environment))
            #expect(result.succeeded)
            return result.stdout
        }
        let forced = try await show(["NO_COLOR": nil, "CLICOLOR_FORCE": "1"])
        #expect(forced.contains("\u{1B}[31m⟦\u{1B}[0mthree generals\u{1B}[31m⟧\u{1B}[0m"), "red, as named")
        #expect(forced.contains("\u{1B}[33m⟦\u{1B}[0mKursk Oblast"), "a color a terminal lacks: the default marks")
        #expect(!(try await show(["NO_COLOR": "1", "CLICOLOR_FORCE": "1"])).contains("\u{1B}"), "NO_COLOR wins")
        #expect(!(try await show(["NO_COLOR": nil])).contains("\u{1B}"), "a pipe gets no color")
        #expect(!(try await show(["NO_COLOR": nil, "CLICOLOR_FORCE": "0"])).contains("\u{1B}"))
    }
}
