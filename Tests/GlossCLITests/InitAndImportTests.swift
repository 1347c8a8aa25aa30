import Foundation
import GlossCore
import Testing

/// `gloss init` and `gloss import`, run as a user would.
@Suite struct InitTests {
    @Test func initPrintsTheReplicaIdAndStatusAgrees() async throws {
        let sandbox = try Sandbox()
        let result = try await sandbox.ok("init", "--name", "desk")
        #expect(result.stdoutLines.count == 1 && isID(result.stdoutLines[0]), "\(result)")
        let line = try #require(result.stderrLines.first)
        #expect(line.hasPrefix("Created store ") && line.hasSuffix(" at \(sandbox.store)"), "\(result)")

        let status = try await sandbox.status()
        #expect(
            Set(status.keys) == [
                "store", "replica", "name", "clock", "digest", "articles", "archived", "annotations", "conflicts", "forks",
            ])
        #expect(string(status, "replica") == result.stdoutLines[0])
        #expect(string(status, "name") == "desk")
        #expect(line.contains(string(status, "store") ?? "?"))
        #expect(status["clock"] as? [String: Int] == [:])
        #expect(status["articles"] as? Int == 0 && status["annotations"] as? Int == 0 && status["conflicts"] as? Int == 0)
        #expect((string(status, "digest") ?? "").count == 64)

        // The store holds the replica's private key: readable by its owner only.
        let permissions = try FileManager.default.attributesOfItem(atPath: sandbox.store)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func initJSONNamesTheStoreReplicaAndPath() async throws {
        let sandbox = try Sandbox()
        let object = try jsonObject(try await sandbox.ok("init", "--json"))
        #expect(Set(object.keys) == ["store", "replica", "path"])
        #expect(string(object, "path") == sandbox.store)
        #expect(isID(string(object, "store") ?? "") && isID(string(object, "replica") ?? ""))
        #expect(string(object, "store") != string(object, "replica"))
        let status = try await sandbox.status()
        #expect(string(status, "store") == string(object, "store"))
        #expect(string(status, "replica") == string(object, "replica"))
        // Without --name, status has no name to show.
        #expect(status["name"] == nil || status["name"] is NSNull)
    }

    @Test func initOverAnExistingStoreFailsAndLeavesItByteForByte() async throws {
        let sandbox = try Sandbox()
        let replica = try await sandbox.initStore(name: "desk")
        _ = try await sandbox.importArticle(try sandbox.copySample())
        let before = try #require(sandbox.bytes(sandbox.store))
        expectCleanFailure(try await sandbox.gloss("init", "--name", "again"), mentioning: ["already exists", sandbox.store])
        #expect(sandbox.bytes(sandbox.store) == before)
        #expect(string(try await sandbox.status(), "replica") == replica)
    }

    @Test func withoutStoreTheStoreLivesUnderXDGDataHome() async throws {
        let sandbox = try Sandbox()
        let result = try await sandbox.run(["init"])
        #expect(result.succeeded, "\(result)")
        #expect(sandbox.exists("xdg/gloss/store.sqlite"))
        #expect(!sandbox.exists(".local"))
        let status = try await sandbox.run(["status", "--json"])
        #expect(string(try jsonObject(status), "replica") == result.stdoutLines.first)
    }
}

@Suite struct ImportTests {
    @Test func importPrintsOneIdPerFileAndListsThem() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let sample = try sandbox.copySample()
        let short = try sandbox.write("short.txt", "Rain in Kyiv. Officials said more rain is coming.\nSecond line.\n")
        let result = try await sandbox.ok("import", sample, short, "--source", "example.org", "--tag", "ukraine", "--tag", "weather")
        #expect(result.stdoutLines.count == 2 && result.stdoutLines.allSatisfy(isID), "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(Set(result.stdoutLines).count == 2)

        let articles = try jsonArray(try await sandbox.ok("articles", "--json"))
        #expect(articles.count == 2)
        for article in articles {
            #expect(Set(article.keys) == ["id", "title", "source", "tags", "annotations", "archived", "conflicts"])
            #expect(result.stdoutLines.contains(string(article, "id") ?? ""))
            #expect(string(article, "source") == "example.org")
            #expect(article["tags"] as? [String] == ["ukraine", "weather"])
            #expect(article["annotations"] as? Int == 0)
        }
        // Sorted by title.
        #expect(
            articles.map { string($0, "title") ?? "" } == [
                "Rain in Kyiv.",
                "Some 8,000 North Korean troops have been deployed to Russia's Kursk Oblast to participate in the war against Ukraine, U.S. Secretary of State Antony Blinken said during a press conference on Oct. 31.",
            ])
        #expect(try await sandbox.status()["articles"] as? Int == 2)
    }

    @Test func importJSONSaysWhetherTheArticleIsNew() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let file = try sandbox.write("note.txt", "Markets fell sharply on Monday. Analysts blamed rates.\n")
        let first = try jsonArray(try await sandbox.ok("import", file, "--json"))
        #expect(first.count == 1)
        #expect(Set(first[0].keys) == ["id", "title", "created"])
        #expect(first[0]["created"] as? Bool == true)
        #expect(string(first[0], "title") == "Markets fell sharply on Monday.")
        let id = try #require(string(first[0], "id"))
        #expect(id == ArticleText.id(of: "Markets fell sharply on Monday. Analysts blamed rates.").hex)
        let clock = try await sandbox.status()["clock"] as? [String: Int]

        let again = try jsonArray(try await sandbox.ok("import", file, "--json"))
        #expect(again.count == 1)
        #expect(string(again[0], "id") == id)
        #expect(again[0]["created"] as? Bool == false)
        #expect(string(again[0], "title") == "Markets fell sharply on Monday.")
        // Nothing new to write, so no change was made.
        #expect(try await sandbox.status()["clock"] as? [String: Int] == clock)

        // The text form prints the id and says on stderr that it was already there.
        let text = try await sandbox.ok("import", file)
        #expect(text.stdoutLines == [id])
        #expect(text.stderrLines.count == 1 && text.stderr.contains("already in the store"), "\(text)")
    }

    @Test func reimportingWithNewTagsAndSourceUpdatesTheArticle() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let file = try sandbox.write("a.txt", "A short piece about bridges.")
        let id = try await sandbox.importArticle(file, ["--tag", "infra"])
        let again = try jsonArray(try await sandbox.ok("import", file, "--json", "--tag", "todo", "--source", "wire", "--title", "Bridges"))
        #expect(again.first?["created"] as? Bool == false)
        #expect(string(again.first ?? [:], "title") == "Bridges")
        let article = try #require(try jsonArray(try await sandbox.ok("articles", "--json")).first)
        #expect(string(article, "id") == id)
        #expect(string(article, "title") == "Bridges")
        #expect(string(article, "source") == "wire")
        #expect(article["tags"] as? [String] == ["infra", "todo"])
    }

    @Test func theSameTextOnTwoStoresIsTheSameArticle() async throws {
        let sandbox = try Sandbox()
        let other = sandbox.path("other.sqlite")
        try await sandbox.initStore()
        try await sandbox.initStore(other)
        let sample = try sandbox.copySample()
        let here = try await sandbox.importArticle(sample)
        let there = try await sandbox.importArticle(sample, store: other)
        #expect(here == there)
        let body = try String(contentsOfFile: sample, encoding: .utf8)
        #expect(here == ArticleText.id(of: ArticleText.normalized(body)).hex)
    }

    @Test func crlfAndLFCopiesOfOneTextAreOneArticle() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let lines = ["First line of the report.", "Second line, with more detail.", "Third."]
        let unix = try sandbox.write("unix.txt", lines.joined(separator: "\n") + "\n")
        let windows = try sandbox.write("windows.txt", lines.joined(separator: "\r\n") + "\r\n")
        let bom = try sandbox.write("bom.txt", "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n\r\n")
        let first = try jsonArray(try await sandbox.ok("import", unix, "--json"))
        let second = try jsonArray(try await sandbox.ok("import", windows, bom, "--json"))
        #expect(first.first?["created"] as? Bool == true)
        #expect(second.count == 2, "one entry per file given: \(second)")
        #expect(second.allSatisfy { string($0, "id") == string(first[0], "id") && $0["created"] as? Bool == false })
        let shown = try jsonObject(try await sandbox.ok("show", string(first[0], "id") ?? "", "--json"))
        #expect(string(shown, "body") == lines.joined(separator: "\n"))
        #expect(try await sandbox.status()["articles"] as? Int == 1)
    }

    @Test(arguments: [
        ("plain.txt", "Kyiv, Monday. The council met at noon. It voted twice.\nMore.", "Kyiv, Monday."),
        (
            "abbrev.txt", "Dr. Smith met U.S. officials in St. Louis on Friday. They agreed.",
            "Dr. Smith met U.S. officials in St. Louis on Friday."
        ),
        ("oneline.txt", "\n\n  Only one sentence here without a stop  \nBody text.", "Only one sentence here without a stop"),
        ("heading.md", "# The Heading of a Markdown Note\n\nBody paragraph. Another sentence.", "The Heading of a Markdown Note"),
        ("long.txt", String(repeating: "word ", count: 60) + "end", String(String(repeating: "word ", count: 60).prefix(199)) + "…"),
    ])
    func theDefaultTitleIsTheFirstLineOrSentence(file: String, text: String, title: String) async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let result = try jsonArray(try await sandbox.ok("import", try sandbox.write(file, text), "--json"))
        #expect(string(result.first ?? [:], "title") == title)
        let article = try #require(try jsonArray(try await sandbox.ok("articles", "--json")).first)
        #expect(string(article, "title") == title)
    }

    @Test func aTitleGivenOnTheCommandLineWins() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let id = try await sandbox.importArticle(try sandbox.copySample(), ["--title", "North Korean troops in Kursk"])
        let shown = try jsonObject(try await sandbox.ok("show", id, "--json"))
        #expect(string(shown, "title") == "North Korean troops in Kursk")
    }

    @Test func oneBadFileAmongSeveralImportsNothing() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let good = try sandbox.write("good.txt", "A perfectly fine article.")
        let bad = try sandbox.write("bad.pdf", "%PDF-1.7 pretend")
        let before = try await sandbox.snapshot()
        expectCleanFailure(try await sandbox.gloss("import", good, bad), mentioning: ["bad.pdf", ".txt, .md and .markdown"])
        #expect(try await sandbox.snapshot() == before)
        #expect(try jsonArray(try await sandbox.ok("articles", "--json")).isEmpty)
    }
}
