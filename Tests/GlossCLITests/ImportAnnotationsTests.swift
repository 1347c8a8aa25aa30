import Foundation
import Testing

/// `gloss import-annotations`: W3C Web Annotations and Hypothesis rows placed on the articles
/// they quote, never at a guessed place (issue 10).
@Suite struct ImportAnnotationsTests {
    /// What must survive a round trip, byte for byte.
    static func kept(_ annotations: [[String: Any]]) -> [String] {
        annotations.map { annotation in
            ["article", "exact", "prefix", "suffix", "start", "end", "note", "color", "tags"].map { key in
                "\(key)=\(annotation[key].map { "\($0)" } ?? "nil")"
            }.joined(separator: "|")
        }.sorted()
    }

    @Test func anExportImportedIntoAFreshReplicaHoldingTheSameArticlesGivesTheSameAnnotations() async throws {
        let sandbox = try Sandbox()
        let (from, to) = (sandbox.path("from.sqlite"), sandbox.path("to.sqlite"))
        try await sandbox.initStore(from, name: "desk")
        try await sandbox.initStore(to, name: "elsewhere")
        var articles: [String] = []
        for number in 1...3 {
            let file = try sandbox.write(
                "a\(number).txt", try String(contentsOfFile: ExportTests.fixtures + "/wikinews/\(number).txt", encoding: .utf8))
            articles.append(try await sandbox.importArticle(file, store: from))
            #expect(try await sandbox.importArticle(file, store: to) == articles.last, "an article's id is its text's")
        }
        let made: [(Int, String, [String])] = [
            (0, "escape room", ["--occurrence", "1", "--note", "Fire service report\nand the owner's statement", "--tag", "verify"]),
            (0, "escape room", ["--occurrence", "2", "--note", "the second mention", "--color", "green"]),
            (0, "Koszalin", ["--occurrence", "1", "--note", "woj. zachodniopomorskie — «local paper»", "--tag", "a", "--tag", "b"]),
            (1, "Magnitogorsk", ["--occurrence", "1", "--note", "Магнитогорск"]),
            (2, "Speaker", ["--occurrence", "1", "--color", "red"]),
        ]
        var ids: [String] = []
        for (article, quote, options) in made {
            ids.append(try await sandbox.annotate(articles[article], quote: quote, options, store: from))
        }
        try await sandbox.ok("delete", ids[4], store: from)
        try await sandbox.ok("export", "--format", "w3c", "--out", "all.jsonld", store: from)
        let imported = try await sandbox.ok("import-annotations", "all.jsonld", store: to)
        #expect(imported.stdoutLines.count == 4 && imported.stdoutLines.allSatisfy(isID), "\(imported)")
        #expect(imported.stderr.contains("Imported 4 annotations (at the position given: 4; found by quote: 0)"), "\(imported)")
        let before = Self.kept(try jsonArray(try await sandbox.ok("annotations", "--json", store: from)))
        let after = Self.kept(try jsonArray(try await sandbox.ok("annotations", "--json", store: to)))
        #expect(before.count == 4 && before == after)
        // Twice is once.
        let again = try await sandbox.ok("import-annotations", "all.jsonld", "--json", store: to)
        let outcome = try jsonObject(again)
        #expect((outcome["imported"] as? [Any])?.isEmpty == true)
        #expect((outcome["skipped"] as? [[String: Any]])?.map { $0["reason"] as? String } == Array(repeating: "already here", count: 4))
        // Into the store it came from (or a replica of it), an annotation deleted since the export
        // is recognized by its id and not brought back.
        let exported = try #require(try jsonArray(try await sandbox.ok("annotations", "--json", store: from)).first?["id"] as? String)
        try await sandbox.ok("delete", exported, store: from)
        let home = try jsonObject(try await sandbox.ok("import-annotations", "all.jsonld", "--json", store: from))
        #expect((home["imported"] as? [Any])?.isEmpty == true, "\(home)")
        // Into the fresh replica, which made its own annotations from the file, one deleted there
        // is recognized by its place and note, and not brought back either.
        let own = try #require(try jsonArray(try await sandbox.ok("annotations", "--json", store: to)).first?["id"] as? String)
        try await sandbox.ok("delete", own, store: to)
        let thrice = try jsonObject(try await sandbox.ok("import-annotations", "all.jsonld", "--json", store: to))
        #expect((thrice["imported"] as? [Any])?.isEmpty == true, "\(thrice)")
        let reasons = (thrice["skipped"] as? [[String: Any]])?.compactMap { $0["reason"] as? String } ?? []
        #expect(
            reasons.filter { $0 == "already here" }.count == 3 && reasons.contains("deleted here ('gloss restore \(own)' brings it back)"))
    }

    @Test func hypothesisRowsArePlacedByTheirQuotesAndWhatCannotBePlacedIsSkippedWithAReason() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let story = try sandbox.write("story.txt", "The mayor said soon. Later the mayor said soon again, and the council said nothing.\n")
        let article = try await sandbox.importArticle(story, ["--source", "https://example.org/council"])
        let other = try await sandbox.importArticle(try sandbox.write("other.txt", "Another story about the mayor.\n"))
        func row(
            _ id: String, _ exact: String, prefix: String = "", suffix: String = "", start: Int? = nil,
            uri: String = "https://example.org/council", text: String = "", tags: [String] = []
        )
            -> [String: Any]
        {
            var selectors: [[String: Any]] = [
                ["type": "RangeSelector", "startContainer": "/p[1]", "startOffset": 0, "endContainer": "/p[1]", "endOffset": 5],
                ["type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix],
            ]
            if let start { selectors.append(["type": "TextPositionSelector", "start": start, "end": start + exact.unicodeScalars.count]) }
            return ["id": id, "uri": uri, "text": text, "tags": tags, "target": [["source": uri, "selector": selectors]]]
        }
        let rows: [[String: Any]] = [
            row("h1", "council", start: 2, text: "council moved", tags: ["hyp"]),  // the position is wrong: found by its quote
            row("h2", "mayor said soon", prefix: "Later the ", suffix: " again", text: "second"),
            row("h3", "mayor said soon", text: "which one?"),  // twice, no context: skipped
            row("h4", "the governor", text: "not there"),
            row("h5", "Another story", suffix: " about the mayor", uri: "https://elsewhere.example/", text: "by its quote and context"),
            row("h6", "council", start: 62, text: "exact"),
            // Not an article held here, and nothing but the quote to go by: not placed anywhere.
            row("h7", "mayor", uri: "https://elsewhere.example/", text: "which article?"),
        ]
        let data = try JSONSerialization.data(withJSONObject: ["total": rows.count, "rows": rows])
        try sandbox.write("hypothesis.json", bytes: Array(data))
        let result = try await sandbox.ok("import-annotations", "hypothesis.json", "--json")
        let outcome = try jsonObject(result)
        let imported = try #require(outcome["imported"] as? [[String: Any]])
        #expect(imported.map { $0["label"] as? String } == ["h1", "h2", "h5", "h6"], "\(result)")
        #expect(imported.map { $0["state"] as? String } == ["moved", "moved", "moved", "exact"])
        #expect(imported.map { $0["article"] as? String } == [article, article, other, article])
        let skipped = try #require(outcome["skipped"] as? [[String: Any]])
        #expect(skipped.map { $0["label"] as? String } == ["h3", "h4", "h7"])
        #expect((skipped.last?["reason"] as? String)?.contains("no context to confirm") == true, "\(skipped)")
        #expect((skipped.first?["reason"] as? String)?.contains("occurs 2 times") == true, "\(skipped)")
        let listed = try jsonArray(try await sandbox.ok("annotations", article, "--json"))
        let byNote = Dictionary(uniqueKeysWithValues: listed.map { ($0["note"] as? String ?? "", $0) })
        #expect(byNote["second"]?["start"] as? Int == 31)
        #expect(byNote["council moved"]?["tags"] as? [String] == ["hyp"])
        #expect(byNote["exact"]?["start"] as? Int == 62)
    }

    @Test func aMalformedFileIsRefusedWholeWithItsPlaceNamedAndChangesNothing() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let before = try await sandbox.snapshot()
        let cases: [(String, String)] = [
            ("{\"type\": \"Annotation\", \"target\": ", "not JSON"),
            ("{\"rows\": 5}", "$.rows: expected a list"),
            (
                "{\"type\": \"AnnotationPage\", \"items\": [{\"type\": \"Annotation\", \"target\": {\"source\": \"x\", \"selector\": {\"type\": \"TextQuoteSelector\"}}}]}",
                "$.items[0].target.selector[0].exact"
            ),
            (
                "[{\"type\": \"Annotation\", \"target\": {\"source\": \"urn:gloss:article:\(article)\", \"selector\": {\"type\": \"TextQuoteSelector\", \"exact\": \"troops\"}}}, {\"type\": \"Annotation\"}]",
                "$[1].target: missing"
            ),
            ("{\"type\": \"AnnotationCollection\", \"first\": \"https://example.org/page1\"}", "must be embedded"),
            ("42", "$: expected an annotation"),
            // A second annotation whose note holds U+0000: refused before the first is written.
            (
                "[{\"type\": \"Annotation\", \"target\": {\"source\": \"urn:gloss:article:\(article)\", \"selector\": {\"type\": \"TextQuoteSelector\", \"exact\": \"troops\"}}}, {\"type\": \"Annotation\", \"bodyValue\": \"a\\u0000b\", \"target\": {\"source\": \"urn:gloss:article:\(article)\", \"selector\": {\"type\": \"TextQuoteSelector\", \"exact\": \"generals\"}}}]",
                "holds U+0000"
            ),
        ]
        for (number, (text, expected)) in cases.enumerated() {
            try sandbox.write("bad\(number).json", text)
            expectCleanFailure(
                try await sandbox.gloss("import-annotations", "bad\(number).json"), mentioning: [expected, "nothing was imported"])
        }
        expectCleanFailure(try await sandbox.gloss("import-annotations", "missing.json"), mentioning: ["no such file: missing.json"])
        #expect(try await sandbox.snapshot() == before)
    }
}
