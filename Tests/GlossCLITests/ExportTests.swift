import Foundation
import Testing

/// `gloss export`: W3C Web Annotations that the W3C test suite's schemas accept, Markdown for a
/// draft, and JSON for scripts (issue 10).
@Suite struct ExportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// A store as a newsroom would have one: three Wikinews articles (one with a web source,
    /// one whose source is not a URI, one with none), annotations with and without notes,
    /// multi-line and non-Latin notes, colors, tags, one deleted, and one note in conflict
    /// between two replicas.
    static func newsroom() async throws -> (replicas: TwoReplicas, articles: [String], live: Int) {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        var articles: [String] = []
        let sources = [
            "https://en.wikinews.org/wiki/Escape_room_fire_kills_five_teen_girls_in_Koszalin,_Poland", "Wikinews, Magnitogorsk (print)",
            nil,
        ]
        for (number, source) in sources.enumerated() {
            let file = try sandbox.write(
                "wikinews-\(number + 1).txt", String(contentsOfFile: fixtures + "/wikinews/\(number + 1).txt", encoding: .utf8))
            articles.append(try await sandbox.importArticle(file, source.map { ["--source", $0] } ?? [], store: replicas.desk))
        }
        var live = 1  // TwoReplicas's own annotation
        let made: [(Int, String, [String])] = [
            (0, "escape room", ["--note", "Check the fire service's report\nand the owner's statement.", "--tag", "verify"]),
            (0, "Koszalin", ["--note", "Koszalin — woj. zachodniopomorskie; «local paper» first", "--color", "green"]),
            (0, "fifteen", []),
            (1, "Magnitogorsk", ["--note", "Магнитогорск: death toll rising", "--tag", "update", "--tag", "casualties"]),
            (2, "Speaker", ["--color", "red", "--tag", "politics"]),
        ]
        var ids: [String] = []
        for (article, quote, options) in made {
            ids.append(try await sandbox.annotate(articles[article], quote: quote, ["--occurrence", "1"] + options, store: replicas.desk))
            live += 1
        }
        try await sandbox.ok("delete", ids[2], store: replicas.desk)
        live -= 1
        try await replicas.exchange()
        try await sandbox.ok("edit", replicas.annotation, "--note", "desk: two sources now", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "field: HUR only", store: replicas.field)
        try await replicas.exchange()
        return (replicas, articles, live)
    }

    @Test func theW3CExportOfANewsroomStorePassesEveryMustOfTheW3CTestSuite() async throws {
        let (replicas, _, live) = try await Self.newsroom()
        let sandbox = replicas.sandbox
        let written = try await sandbox.ok("export", "--format", "w3c", "--out", "notes.jsonld", store: replicas.desk)
        #expect(written.stdout.isEmpty && written.stderr.contains("Exported \(live) annotations of 4 articles"), "\(written)")
        // The validator needs jsonschema and rfc3987 (.ci/run installs them): this process's PATH finds them.
        let validator = try sandbox.start(
            executable: "/usr/bin/env", ["python3", Self.fixtures + "/validate_w3c.py", sandbox.path("notes.jsonld")],
            environment: ProcessInfo.processInfo.environment)
        let checked = try await sandbox.finish(validator)
        #expect(checked.status == 0, "\(checked)")
        let report = try jsonObject(checked)
        #expect(report["annotations"] as? Int == live)
        #expect(report["musts_per_annotation"] as? Int == 54)
        #expect((report["must_failures"] as? [Any])?.isEmpty == true, "\(checked.stdout)")
        #expect((report["collection_must_failures"] as? [Any])?.isEmpty == true)
        #expect((report["page_must_failures"] as? [Any])?.isEmpty == true)
    }

    @Test func theW3CExportCarriesNotesTagsQuotesPositionsAndProvenance() async throws {
        let (replicas, articles, _) = try await Self.newsroom()
        let sandbox = replicas.sandbox
        let exported = try await sandbox.ok("export", "--format", "w3c", articles[0], articles[1], store: replicas.desk)
        let collection = try jsonObject(exported)
        let items = try #require((collection["first"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(collection["total"] as? Int == 3 && items.count == 3)
        let byQuote = Dictionary(
            uniqueKeysWithValues: items.map { item in
                let selectors = (item["target"] as? [String: Any])?["selector"] as? [[String: Any]] ?? []
                return (selectors.first { $0["type"] as? String == "TextQuoteSelector" }?["exact"] as? String ?? "", item)
            })
        let room = try #require(byQuote["escape room"])
        let bodies = try #require(room["body"] as? [[String: Any]])
        #expect(
            bodies.contains {
                $0["purpose"] as? String == "commenting"
                    && $0["value"] as? String == "Check the fire service's report\nand the owner's statement."
            })
        #expect(bodies.contains { $0["purpose"] as? String == "tagging" && $0["value"] as? String == "verify" })
        let target = try #require(room["target"] as? [String: Any])
        #expect(target["source"] as? String == "https://en.wikinews.org/wiki/Escape_room_fire_kills_five_teen_girls_in_Koszalin,_Poland")
        let position = try #require((target["selector"] as? [[String: Any]])?.first { $0["type"] as? String == "TextPositionSelector" })
        let text = try String(contentsOfFile: Self.fixtures + "/wikinews/1.txt", encoding: .utf8).replacingOccurrences(
            of: "\r\n", with: "\n")
        let scalars = Array(text.unicodeScalars)
        let (start, end) = (try #require(position["start"] as? Int), try #require(position["end"] as? Int))
        #expect(String(String.UnicodeScalarView(scalars[start..<end])) == "escape room", "offsets count code points")
        #expect((room["creator"] as? [String: Any])?["name"] as? String == "desk")
        #expect((room["created"] as? String)?.hasSuffix("Z") == true && room["modified"] != nil)
        #expect(byQuote["Koszalin"]?["gloss:color"] as? String == "green")
        // A source that is not a URI is not the target's source: the article's URN is.
        let magnitogorsk = try #require(byQuote["Magnitogorsk"]?["target"] as? [String: Any])
        #expect((magnitogorsk["source"] as? String)?.hasPrefix("urn:gloss:article:\(articles[1])") == true, "\(magnitogorsk)")
        #expect(byQuote["fifteen"] == nil, "a deleted annotation is not exported")
    }

    @Test func aNoteInConflictIsExportedWithEveryValue() async throws {
        let (replicas, _, _) = try await Self.newsroom()
        let exported = try await replicas.sandbox.ok("export", "--format", "json", replicas.article, store: replicas.field)
        let articles = try jsonArray(exported)
        let annotation = try #require(
            (articles.first?["annotations"] as? [[String: Any]])?.first { $0["id"] as? String == replicas.annotation })
        #expect((annotation["conflicts"] as? [String]) == ["note"])
        let keys = [
            "id", "article", "exact", "prefix", "suffix", "start", "end", "revision", "anchor", "note", "color", "tags", "conflicts",
            "created", "modified", "creator", "creator_name",
        ]
        #expect(Set(annotation.keys) == Set(keys), "the keys README's Exporting section names")
        #expect(Set(articles.first?.keys ?? [:].keys) == ["id", "title", "source", "body", "revision", "annotations"])
        // The field learned the desk's changes from a bundle, which names no replica: its id only.
        let desk = try jsonObject(try await replicas.sandbox.ok("id", "--json", store: replicas.desk))
        #expect(annotation["creator"] as? String == desk["replica"] as? String && annotation["creator_name"] is NSNull, "\(annotation)")
        let w3c = try jsonObject(try await replicas.sandbox.ok("export", "--format", "w3c", replicas.article, store: replicas.field))
        let item = try #require(((w3c["first"] as? [String: Any])?["items"] as? [[String: Any]])?.first)
        let notes = (item["body"] as? [[String: Any]] ?? []).filter { $0["purpose"] as? String == "commenting" }.compactMap {
            $0["value"] as? String
        }
        #expect(Set(notes) == ["desk: two sources now", "field: HUR only"])
    }

    @Test func markdownMarksEachHighlightAndListsTheNotesAsFootnotes() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        try sandbox.write("story.txt", "Rain fell on Monday.\n\nThe river rose two metres overnight; officials said.\n")
        let article = try await sandbox.importArticle("story.txt", ["--title", "Floods", "--source", "https://example.org/floods"])
        _ = try await sandbox.annotate(article, quote: "river rose two metres", ["--note", "Gauge data\nconfirms it", "--tag", "verify"])
        _ = try await sandbox.annotate(article, quote: "two metres overnight", ["--color", "red"])
        let markdown = try await sandbox.ok("export", "--format", "markdown", article).stdout
        let expected = """
            # Floods

            Source: https://example.org/floods

            Rain fell on Monday.

            The <mark>river rose </mark><mark>two metres</mark>[^1]<mark> overnight</mark>[^2]; officials said.

            [^1]: Gauge data
                confirms it #verify
            [^2]: “two metres overnight” (red)

            """
        #expect(markdown == expected, "\(markdown)")
    }

    @Test func markdownKeepsHeadingsAndPutsAReferenceBeforeTheLineBreaksAHighlightEndsWith() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        try sandbox.write("story.md", "# Floods in the valley\n\nThe river rose.\n\nSecond paragraph.\n")
        let article = try await sandbox.importArticle("story.md", ["--title", "Floods"])
        _ = try await sandbox.annotate(article, quote: "Floods in the valley", ["--note", "headline"])
        _ = try await sandbox.annotate(article, quote: "The river rose.\n\n", ["--note", "whole paragraph"])
        let markdown = try await sandbox.ok("export", "--format", "markdown", article).stdout
        #expect(markdown.contains("# <mark>Floods in the valley</mark>[^1]\n"), "\(markdown)")
        #expect(markdown.contains("<mark>The river rose.</mark>[^2]\n\nSecond paragraph."), "\(markdown)")
    }

    @Test func exportRefusesWhatItCannotDoAndWritesNothing() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let note = try await sandbox.annotate(article, quote: "Kursk Oblast", ["--occurrence", "1", "--note", "n"])
        try sandbox.write("draft.md", "my draft")
        expectCleanFailure(
            try await sandbox.gloss("export", "--format", "w3c", "--out", "draft.md"),
            mentioning: ["draft.md exists; refusing to overwrite it"])
        #expect(String(decoding: sandbox.bytes("draft.md") ?? [], as: UTF8.self) == "my draft")
        expectCleanFailure(
            try await sandbox.gloss("export", "--format", "w3c", note), mentioning: ["is an annotation; export takes articles"])
        expectCleanFailure(try await sandbox.gloss("export", "--format", "markdown"), mentioning: ["exports one article"])
        expectCleanFailure(try await sandbox.gloss("export", "--format", "pdf", article), mentioning: ["pdf"])
        #expect(!sandbox.exists("notes.jsonld"))
        // A dangling symlink is a name taken, too.
        symlink(sandbox.path("nowhere"), sandbox.path("link.jsonld"))
        expectCleanFailure(try await sandbox.gloss("export", "--format", "w3c", "--out", "link.jsonld"), mentioning: ["exists"])
        #expect(!sandbox.exists("nowhere"))
    }
}
