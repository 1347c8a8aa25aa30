import Foundation
import Testing

/// `annotate`, `edit` and `delete`.
@Suite struct AnnotateTests {
    @Test func offsetsCountUnicodeScalars() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        // Accents precomposed and combining, a family emoji (5 scalars, 1 character), a flag.
        let lead =
            "Z\u{FC}rich: Caf\u{E9} na\u{EF}ve \u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467} re\u{301}sume\u{301} \u{1F1FA}\u{1F1E6} \u{2014} "
        let quote = "the quoted words"
        let tail = " follow here, and then the article ends with an accent: \u{E9}t\u{E9}."
        let article = try await sandbox.importArticle(try sandbox.write("unicode.txt", lead + quote + tail))
        let start = lead.unicodeScalars.count
        // The test would not tell scalars from other units if they agreed.
        #expect(Set([start, lead.count, lead.utf16.count, lead.utf8.count]).count == 4)

        let id = try await sandbox.annotate(article, quote: quote, ["--note", "n\u{E9}e"])
        let accented = try await sandbox.annotate(article, quote: "na\u{EF}ve")
        let annotations = try jsonArray(try await sandbox.ok("annotations", "--json"))
        #expect(annotations.map { string($0, "id") } == [accented, id])
        let annotation = try #require(annotations.last)
        #expect(annotation["start"] as? Int == start)
        #expect(annotation["end"] as? Int == start + quote.unicodeScalars.count)
        #expect(string(annotation, "exact") == quote)
        let scalars = Array((lead + quote + tail).unicodeScalars)
        let expectedPrefix = String(String.UnicodeScalarView(scalars[(start - 32)..<start]))
        let expectedSuffix = String(String.UnicodeScalarView(scalars[(start + 16)..<(start + 48)]))
        #expect(string(annotation, "prefix")?.unicodeScalars.elementsEqual(expectedPrefix.unicodeScalars) == true)
        #expect(string(annotation, "suffix")?.unicodeScalars.elementsEqual(expectedSuffix.unicodeScalars) == true)
        #expect(string(annotation, "note") == "n\u{E9}e")
        #expect(annotations.first?["start"] as? Int == 13)
        #expect(annotations.first?["end"] as? Int == 18)

        let shown = try await sandbox.ok("show", article)
        #expect(shown.stdout.contains("Caf\u{E9} \u{27E6}na\u{EF}ve\u{27E7}\u{B9}"))
        #expect(shown.stdout.contains("\u{2014} \u{27E6}the quoted words\u{27E7}\u{B2} follow here"))
    }

    @Test func occurrencePicksWhichCopyOfARepeatedQuote() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let first = try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "1"])
        let second = try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "2"])
        let annotations = try jsonArray(try await sandbox.ok("annotations", "--json"))
        #expect(annotations.map { string($0, "id") } == [first, second])
        #expect(annotations.map { $0["start"] as? Int } == [62, 249])
        #expect(annotations.allSatisfy { string($0, "note") == nil && string($0, "color") == nil && ($0["tags"] as? [String]) == [] })
    }

    /// A quote typed with curly marks and pasted across a line break anchors to the article's
    /// straight-quoted text; an ambiguous one lists each place in one line (issue 11).
    @Test func aForgivingQuoteAnchorsToTheArticlesText() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let id = try await sandbox.annotate(article, quote: "Russia\u{2019}s   Kursk\nOblast")
        let annotations = try jsonArray(try await sandbox.ok("annotations", "--json"))
        #expect(annotations.map { string($0, "id") } == [id])
        #expect(annotations.first.map { string($0, "exact") } == "Russia's Kursk Oblast")
        let ambiguous = try await sandbox.gloss("annotate", article, "--quote", "Kursk\u{A0}Oblast")
        expectCleanFailure(ambiguous, mentioning: ["occurs 2 times", "--occurrence N", "[1] …", "«Kursk Oblast»", "[2] …"])
    }

    @Test func annotateWithNoteColorAndTagsPrintsOnlyTheId() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let result = try await sandbox.ok(
            "annotate", String(article.prefix(6)), "--quote", "three generals",
            "--note", "check", "--color", "red", "--tag", "b", "--tag", "a", "--tag", "b")
        #expect(result.stdoutLines.count == 1 && isID(result.stdoutLines[0]) && result.stderr.isEmpty, "\(result)")
        let annotation = try #require(try jsonArray(try await sandbox.ok("annotations", "--json")).first)
        #expect(string(annotation, "id") == result.stdoutLines[0])
        #expect(string(annotation, "note") == "check" && string(annotation, "color") == "red")
        #expect(annotation["tags"] as? [String] == ["a", "b"])
        #expect(try jsonArray(try await sandbox.ok("articles", "--json")).first?["annotations"] as? Int == 1)
    }
}

@Suite struct EditAndDeleteTests {
    /// A store with the sample article (tagged) and one annotation on it.
    struct Fixture {
        let sandbox: Sandbox
        let article: String
        let annotation: String

        static func make() async throws -> Fixture {
            let sandbox = try Sandbox()
            try await sandbox.initStore()
            let article = try await sandbox.importArticle(try sandbox.copySample(), ["--tag", "ukraine"])
            let annotation = try await sandbox.annotate(
                article, quote: "500 officers", ["--note", "first", "--color", "yellow", "--tag", "verify"])
            return Fixture(sandbox: sandbox, article: article, annotation: annotation)
        }

        func annotationJSON() async throws -> [String: Any] {
            try #require(try jsonArray(try await sandbox.ok("annotations", "--json")).first { string($0, "id") == annotation })
        }
    }

    @Test func editChangesAnAnnotationsNoteColorAndTags() async throws {
        let fixture = try await Fixture.make()
        let result = try await fixture.sandbox.ok(
            "edit", fixture.annotation, "--note", "second", "--color", "blue",
            "--add-tag", "todo", "--add-tag", "army", "--remove-tag", "verify")
        #expect(result.stdoutLines == ["Edited annotation \(fixture.annotation)."], "\(result)")
        let annotation = try await fixture.annotationJSON()
        #expect(string(annotation, "note") == "second" && string(annotation, "color") == "blue")
        #expect(annotation["tags"] as? [String] == ["army", "todo"])
        #expect(annotation["conflicts"] as? [String] == [])
        // An empty note is a value like any other.
        try await fixture.sandbox.ok("edit", fixture.annotation, "--note", "")
        #expect(string(try await fixture.annotationJSON(), "note") == "")
    }

    @Test func editChangesAnArticlesTitleSourceAndTags() async throws {
        let fixture = try await Fixture.make()
        let result = try await fixture.sandbox.ok(
            "edit", fixture.article, "--title", "Troops in Kursk", "--source", "kyivindependent.com",
            "--add-tag", "korea", "--remove-tag", "ukraine")
        #expect(result.stdoutLines == ["Edited article \(fixture.article)."], "\(result)")
        let article = try #require(try jsonArray(try await fixture.sandbox.ok("articles", "--json")).first)
        #expect(string(article, "title") == "Troops in Kursk")
        #expect(string(article, "source") == "kyivindependent.com")
        #expect(article["tags"] as? [String] == ["korea"])
    }

    @Test func editingToTheSameValuesChangesNothing() async throws {
        let fixture = try await Fixture.make()
        let before = try await fixture.sandbox.snapshot()
        let result = try await fixture.sandbox.ok("edit", fixture.annotation, "--note", "first")
        #expect(result.stdoutLines == ["Nothing to change: \(fixture.annotation) already looks like that."], "\(result)")
        #expect(try await fixture.sandbox.snapshot() == before)
    }

    /// An add must win over a remove made elsewhere meanwhile, so even a tag already there is
    /// added again, as a change of its own.
    @Test func addingATagThatIsThereIsStillRecorded() async throws {
        let fixture = try await Fixture.make()
        let result = try await fixture.sandbox.ok("edit", fixture.annotation, "--add-tag", "verify")
        #expect(result.stdoutLines == ["Edited annotation \(fixture.annotation)."], "\(result)")
        let log = try jsonArray(try await fixture.sandbox.ok("log", fixture.annotation, "--json"))
        #expect(log.count == 2, "the annotation's creation and the add: \(log)")
    }

    @Test(arguments: [
        (["--remove-tag", "nope"], "annotation", "has no tag 'nope'"),
        (["--title", "x"], "annotation", "the title applies to articles"),
        (["--source", "x"], "annotation", "the source applies to articles"),
        (["--color", "x"], "article", "the color applies to annotations"),
        (["--remove-tag", "verify"], "article", "has no tag 'verify'"),
    ])
    func editRefusesWhatDoesNotApply(options: [String], target: String, message: String) async throws {
        let fixture = try await Fixture.make()
        let id = target == "article" ? fixture.article : fixture.annotation
        let before = try await fixture.sandbox.snapshot()
        expectCleanFailure(
            try await fixture.sandbox.run(["edit", id] + options + ["--store", fixture.sandbox.store]),
            mentioning: [message])
        #expect(try await fixture.sandbox.snapshot() == before)
    }

    @Test func editWithNothingToChangeIsAUsageError() async throws {
        let fixture = try await Fixture.make()
        let result = try await fixture.sandbox.gloss("edit", fixture.annotation)
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1)
        #expect(
            result.stderrLines.first?.hasPrefix(
                "gloss: say what to change: --note, --note-file, --color, --remove-color, --title, --source, --add-tag or --remove-tag; usage: gloss edit "
            ) == true, "the command's own usage line: \(result.stderr)")
    }

    /// A misspelt option alone is named as the mistake, with a suggestion, rather than answered
    /// with "say what to change" (which the parser used to check first).
    @Test func aMisspeltOptionIsNamedEvenWhenNothingElseIsGiven() async throws {
        let fixture = try await Fixture.make()
        let before = try await fixture.sandbox.snapshot()
        let result = try await fixture.sandbox.gloss("edit", fixture.annotation, "--colour", "red")
        #expect(result.status == 64 && result.stdout.isEmpty && result.stderrLines.count == 1, "\(result)")
        #expect(
            result.stderrLines.first?.hasPrefix("gloss: Unknown option '--colour'. Did you mean '--color'?; usage: gloss edit ") == true,
            "\(result.stderr)")
        #expect(try await fixture.sandbox.snapshot() == before)
    }

    @Test func deleteRemovesAnAnnotationEverywhereItIsShown() async throws {
        let fixture = try await Fixture.make()
        let sandbox = fixture.sandbox
        let kept = try await sandbox.annotate(fixture.article, quote: "three generals")
        let result = try await sandbox.ok("delete", String(fixture.annotation.prefix(8)))
        #expect(result.stdoutLines == ["Deleted annotation \(fixture.annotation)."], "\(result)")
        #expect(try jsonArray(try await sandbox.ok("annotations", "--json")).map { string($0, "id") } == [kept])
        #expect(try jsonArray(try await sandbox.ok("articles", "--json")).first?["annotations"] as? Int == 1)
        #expect(try await sandbox.status()["annotations"] as? Int == 1)
        let shown = try await sandbox.ok("show", fixture.article)
        #expect(!shown.stdout.contains("⟦500 officers⟧") && !shown.stdout.contains(fixture.annotation))
        let log = try jsonArray(try await sandbox.ok("log", fixture.annotation, "--json"))
        #expect((log.first?["operations"] as? [[String: String]]) == [["op": "delete", "entity": fixture.annotation]])

        // Gone is gone: a second delete and an edit say so, and write nothing.
        let before = try await sandbox.snapshot()
        expectCleanFailure(try await sandbox.gloss("delete", fixture.annotation), mentioning: ["already deleted"])
        expectCleanFailure(try await sandbox.gloss("edit", fixture.annotation, "--note", "x"), mentioning: ["is deleted"])
        #expect(try await sandbox.snapshot() == before)
    }

    @Test func onlyAnnotationsCanBeDeleted() async throws {
        let fixture = try await Fixture.make()
        let before = try await fixture.sandbox.snapshot()
        expectCleanFailure(
            try await fixture.sandbox.gloss("delete", fixture.article),
            mentioning: ["only annotations can be deleted", fixture.article])
        #expect(try await fixture.sandbox.snapshot() == before)
    }
}
