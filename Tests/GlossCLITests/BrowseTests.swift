import Foundation
import Testing

/// The reading commands: `articles`, `show`, `annotations`, `log` and `status`, in text and JSON.
@Suite struct BrowseTests {
    /// A store with the sample article (tagged, with a source), a second article, and two
    /// annotations on the sample.
    struct Fixture {
        let sandbox: Sandbox
        let article: String
        let other: String
        let first: String
        let second: String

        init() async throws {
            sandbox = try Sandbox()
            try await sandbox.initStore(name: "desk")
            article = try await sandbox.importArticle(try sandbox.copySample(), ["--source", "kyivindependent.com", "--tag", "ukraine"])
            other = try await sandbox.importArticle(try sandbox.write("other.md", "# Weather\n\nSun over Lviv."), ["--tag", "weather"])
            first = try await sandbox.annotate(
                article, quote: "nearly 12,000 troops", ["--note", "HUR figure", "--color", "green", "--tag", "numbers", "--tag", "verify"])
            second = try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "2", "--note", "date?"])
        }
    }

    @Test func articlesListsEachWithTagsAndCounts() async throws {
        let fixture = try await Fixture()
        let sandbox = fixture.sandbox
        let articles = try jsonArray(try await sandbox.ok("articles", "--json"))
        #expect(articles.map { string($0, "id") } == [fixture.article, fixture.other])
        let sample = articles[0]
        #expect(Set(sample.keys) == ["id", "title", "source", "tags", "annotations", "archived", "conflicts"])
        #expect(string(sample, "source") == "kyivindependent.com")
        #expect(sample["tags"] as? [String] == ["ukraine"])
        #expect(sample["annotations"] as? Int == 2)
        #expect(articles[1]["annotations"] as? Int == 0)

        let text = try await sandbox.ok("articles")
        #expect(text.stdoutLines.count == 2)
        #expect(text.stdoutLines[0].hasPrefix("\(fixture.article)  Some 8,000 North Korean troops"))
        #expect(text.stdoutLines[0].hasSuffix("  (kyivindependent.com)  #ukraine  [2 annotations]"))
        #expect(text.stdoutLines[1] == "\(fixture.other)  Weather  #weather  [0 annotations]")

        let tagged = try jsonArray(try await sandbox.ok("articles", "--tag", "weather", "--json"))
        #expect(tagged.map { string($0, "id") } == [fixture.other])
        let none = try await sandbox.ok("articles", "--tag", "sports")
        #expect(none.stdout.isEmpty && none.stderr == "No article has that tag.\n", "\(none)")
    }

    @Test func articlesOnAnEmptyStoreSaysHowToStart() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let result = try await sandbox.ok("articles")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("gloss import"), "\(result)")
        #expect(try jsonArray(try await sandbox.ok("articles", "--json")).isEmpty)
    }

    @Test func showMarksHighlightsAndListsTheirNotes() async throws {
        let fixture = try await Fixture()
        let result = try await fixture.sandbox.ok("show", fixture.article)
        let lines = result.stdoutLines
        #expect(lines.first?.hasPrefix("Some 8,000 North Korean troops") == true)
        #expect(lines.count > 1 && lines[1] == "id \(fixture.article)  source kyivindependent.com  #ukraine")
        #expect(result.stdout.contains("deployed to ⟦Kursk Oblast⟧¹ in late October"))
        #expect(result.stdout.contains("has sent ⟦nearly 12,000 troops⟧² to Russia"))
        #expect(result.stdout.contains("Russia's Kursk Oblast to participate"), "the first occurrence is not highlighted")
        #expect(
            lines.suffix(6) == [
                "[1] \"Kursk Oblast\"",
                "    date?",
                "    \(fixture.second)",
                "[2] \"nearly 12,000 troops\" (green) #numbers #verify",
                "    HUR figure",
                "    \(fixture.first)",
            ], "the note whole, on lines of its own")
    }

    @Test func showJSONHasTheBodyAndAnnotations() async throws {
        let fixture = try await Fixture()
        let shown = try jsonObject(try await fixture.sandbox.ok("show", fixture.article, "--json"))
        #expect(
            Set(shown.keys) == [
                "id", "title", "source", "tags", "body", "revision", "revision_number", "revisions", "archived", "conflicts", "annotations",
            ])
        let sample = try String(contentsOfFile: GlossBinary.sampleArticle, encoding: .utf8)
        #expect(string(shown, "body") == sample.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(string(shown, "id") == fixture.article)
        #expect(shown["conflicts"] as? [String] == [])
        let annotations = try #require(shown["annotations"] as? [[String: Any]])
        #expect(annotations.map { string($0, "id") } == [fixture.second, fixture.first])
    }

    @Test func annotationsListsAllOrOneArticlesOrOneTags() async throws {
        let fixture = try await Fixture()
        let sandbox = fixture.sandbox
        let all = try jsonArray(try await sandbox.ok("annotations", "--json"))
        #expect(all.map { string($0, "id") } == [fixture.second, fixture.first], "in reading order")
        let first = all[1]
        #expect(
            Set(first.keys) == [
                "id", "article", "exact", "prefix", "suffix", "start", "end", "revision", "anchor", "note", "color", "tags", "conflicts",
            ])
        #expect(string(first, "article") == fixture.article)
        #expect(string(first, "exact") == "nearly 12,000 troops")
        #expect(string(first, "prefix") == "d earlier. North Korea has sent ")
        #expect(string(first, "suffix") == " to Russia, including 500 office")
        #expect(first["start"] as? Int == 356 && first["end"] as? Int == 376)
        #expect(string(first, "note") == "HUR figure" && string(first, "color") == "green")
        #expect(first["tags"] as? [String] == ["numbers", "verify"])
        #expect(first["conflicts"] as? [String] == [])

        #expect(try jsonArray(try await sandbox.ok("annotations", fixture.other, "--json")).isEmpty)
        #expect(try jsonArray(try await sandbox.ok("annotations", fixture.article, "--json")).count == 2)
        let tagged = try jsonArray(try await sandbox.ok("annotations", "--tag", "verify", "--json"))
        #expect(tagged.map { string($0, "id") } == [fixture.first])

        let text = try await sandbox.ok("annotations", fixture.article)
        #expect(
            text.stdoutLines == [
                "\(fixture.second)  \"Kursk Oblast\" — date?",
                "\(fixture.first)  \"nearly 12,000 troops\" — HUR figure (green) #numbers #verify",
            ])
        let empty = try await sandbox.ok("annotations", fixture.other)
        #expect(empty.stdout.isEmpty && empty.stderr == "No annotations.\n", "\(empty)")
    }

    @Test func logListsChangesNewestFirst() async throws {
        let fixture = try await Fixture()
        let sandbox = fixture.sandbox
        let replica = try #require(string(try await sandbox.status(), "replica"))
        let log = try jsonArray(try await sandbox.ok("log", "--json"))
        #expect(log.map { $0["seq"] as? Int } == [4, 3, 2, 1])
        for entry in log {
            #expect(Set(entry.keys) == ["replica", "seq", "time", "dependencies", "operations"])
            #expect(string(entry, "replica") == replica)
            #expect(entry["dependencies"] as? [String: Int] == [:], "a replica's own changes are implied")
            #expect((string(entry, "time") ?? "").hasSuffix("Z"))
        }
        let newest = try #require(log.first?["operations"] as? [[String: Any]])
        #expect(newest.count == 2)
        #expect(
            newest.first.map { NSDictionary(dictionary: $0) }
                == NSDictionary(dictionary: [
                    "op": "create-annotation", "entity": fixture.second, "article": fixture.article, "exact": "Kursk Oblast",
                    "start": 249, "end": 261,
                ]), "offsets are numbers")
        #expect(newest.last as? [String: String] == ["op": "set", "entity": fixture.second, "field": "note", "value": "date?"])

        // One entity: the annotation's own change; the article's changes include its annotations'.
        let one = try jsonArray(try await sandbox.ok("log", fixture.first, "--json"))
        #expect(one.map { $0["seq"] as? Int } == [3])
        let ofArticle = try jsonArray(try await sandbox.ok("log", fixture.article, "--json"))
        #expect(ofArticle.map { $0["seq"] as? Int } == [4, 3, 1])

        let text = try await sandbox.ok("log", fixture.first)
        #expect(text.stdoutLines.first == "change \(replica):3")
        #expect(text.stdoutLines.dropFirst().first?.hasPrefix("by desk (\(replica)) (this replica) at ") == true)
        #expect(text.stdout.contains("  create-annotation \(fixture.first) \"nearly 12,000 troops\""))
        #expect(text.stdout.contains("  add-tag \(fixture.first) #verify"))
    }

    @Test func logOfAnEmptyStoreSaysSo() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let result = try await sandbox.ok("log")
        #expect(result.stdout.isEmpty && result.stderr == "No changes yet.\n", "\(result)")
        #expect(try jsonArray(try await sandbox.ok("log", "--json")).isEmpty)
    }

    @Test func statusCountsAndShowsTheClock() async throws {
        let fixture = try await Fixture()
        let sandbox = fixture.sandbox
        let status = try await sandbox.status()
        let replica = try #require(string(status, "replica"))
        #expect(status["clock"] as? [String: Int] == [replica: 4])
        #expect(status["articles"] as? Int == 2 && status["annotations"] as? Int == 2 && status["conflicts"] as? Int == 0)
        let text = try await sandbox.ok("status")
        #expect(
            text.stdoutLines == [
                "store       \(string(status, "store")!)  (\(sandbox.store))",
                "replica     desk (\(replica)) (this replica)",
                "articles    2",
                "annotations 2",
                "conflicts   0",
                "digest      \(string(status, "digest")!)",
                "clock",
                "  desk (\(replica)) (this replica): 4",
            ])
    }
}

/// `gloss search`: full-text search over articles and notes (issue 11).
@Suite struct SearchCommandTests {
    @Test func searchFindsNotesAndArticlesAndMarksTheWords() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample(), ["--tag", "ukraine"])
        let annotation = try await sandbox.annotate(
            article, quote: "three generals", ["--note", "HUR is the only source; ask the Pentagon", "--tag", "verify"])

        let found = try await sandbox.ok("search", "pentagon")
        #expect(found.stdoutLines.count == 2)
        #expect(found.stdoutLines.first?.hasPrefix("\(annotation)  note on \(article.prefix(12))") == true, "\(found.stdout)")
        #expect(found.stdoutLines.last == "    HUR is the only source; ask the «Pentagon»")

        let json = try jsonArray(try await sandbox.ok("search", "generals", "--json"))
        #expect(json.map { string($0, "kind") } == ["article"] && json.first.map { string($0, "id") } == article)
        #expect(json.first.map { string($0, "snippet")?.contains("«generals»") == true } == true)
        #expect(json.first.map { string($0, "article_title") != nil } == true)

        #expect(try jsonArray(try await sandbox.ok("search", "the", "--in", "notes", "--json")).map { string($0, "id") } == [annotation])
        #expect(try jsonArray(try await sandbox.ok("search", "the", "--tag", "ukraine", "--json")).map { string($0, "id") } == [article])
        let none = try await sandbox.ok("search", "zeppelin")
        #expect(none.stdout.isEmpty && none.stderr.contains("Nothing found."))
        expectCleanFailure(
            try await sandbox.run(["search", "--store", sandbox.store, "--", "-", "*"]), mentioning: ["give a word to search for"])
    }
}
