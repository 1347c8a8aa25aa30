import Foundation
import Testing

/// Issue 10's article revisions from the command line: `revise`, `revisions`, `show` with
/// anchor states and `--revision`, `annotations --orphaned`, `reanchor`, and two replicas
/// revising at once.
@Suite struct RevisionCommandTests {
    /// The sample article as a correction would leave it: a paragraph added at the top, a
    /// figure changed inside a highlight, and a sentence taken out.
    static func corrected(_ sample: String) -> String {
        "Correction appended on Nov. 2.\n"
            + sample.replacingOccurrences(of: "nearly 12,000", with: "nearly 13,000")
            .replacingOccurrences(
                of:
                    "There have been no clashes between the North Korean and Ukrainian military so far, Blinken said, adding that they can happen \"in the coming days.\"\n",
                with: "")
    }

    @Test func aRevisedArticleShowsEachAnnotationInItsStateAndAnOrphanCanBePlaced() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let samplePath = try sandbox.copySample()
        let sample = try String(contentsOfFile: samplePath, encoding: .utf8)
        let article = try await sandbox.importArticle(samplePath)
        let figure = try await sandbox.annotate(article, quote: "nearly 12,000 troops", ["--note", "check the count"])
        let clashes = try await sandbox.annotate(article, quote: "no clashes between", ["--note", "who says?"])
        let blinken = try await sandbox.annotate(article, quote: "Antony Blinken")
        let revised = try sandbox.write("corrected.txt", Self.corrected(sample))

        let recorded = try await sandbox.ok("revise", article, revised, "--note", "figure corrected")
        #expect(recorded.stdout.contains("Recorded revision 2 of \(article)"), "\(recorded)")
        #expect(recorded.stdout.contains("1 moved, 1 fuzzy, 1 orphaned"), "\(recorded)")

        let listed = try jsonArray(try await sandbox.ok("annotations", article, "--json"))
        func anchor(_ id: String) -> [String: Any]? { listed.first { string($0, "id") == id }?["anchor"] as? [String: Any] }
        #expect(anchor(blinken).flatMap { string($0, "state") } == "moved")
        #expect(anchor(figure).flatMap { string($0, "state") } == "fuzzy")
        #expect((anchor(figure)?["score"] as? Double).map { $0 >= 0.75 && $0 < 1 } == true, "\(listed)")
        #expect(anchor(clashes).flatMap { string($0, "state") } == "orphaned" && anchor(clashes)?["start"] is NSNull)
        #expect(listed.allSatisfy { string($0, "revision") == article }, "each made on the first text")

        let shown = try await sandbox.ok("show", article)
        #expect(shown.stdout.contains("revision 2 of 2") && shown.stdout.contains("⟦nearly 13,000 troops⟧"), "\(shown)")
        #expect(shown.stdout.contains("Orphaned: 1 annotation") && shown.stdout.contains("\"no clashes between\" [orphaned]"))
        let orphans = try await sandbox.ok("annotations", "--orphaned")
        #expect(orphans.stdoutLines.count == 1 && orphans.stdout.contains(clashes), "\(orphans)")

        // A person places the orphan; it syncs as a change, and is no orphan any more.
        // Exported as JSON, each annotation is as it is held, with where it is shown.
        let exported = try jsonArray(try await sandbox.ok("export", "--format", "json", article))
        let exportedFigure = try #require((exported.first?["annotations"] as? [[String: Any]])?.first { string($0, "id") == figure })
        #expect(string(exportedFigure, "exact") == "nearly 12,000 troops", "\(exportedFigure)")
        #expect((exportedFigure["anchor"] as? [String: Any]).flatMap { string($0, "exact") } == "nearly 13,000 troops")
        #expect(exported.first.flatMap { string($0, "body") }?.contains("Correction appended") == true)
        let markdown = try await sandbox.ok("export", "--format", "markdown", article)
        #expect(markdown.stdout.contains("<mark>nearly 13,000 troops</mark>") && markdown.stderr.contains("1 orphaned annotation left out"))

        let placed = try await sandbox.ok("reanchor", clashes, "--quote", "Blinken said", "--occurrence", "1")
        #expect(placed.stdout.contains("Placed \(clashes) on revision 2"), "\(placed)")
        let none = try await sandbox.ok("annotations", "--orphaned")
        #expect(none.stdout.isEmpty && none.stderr.contains("No orphaned annotations."), "\(none)")
        let again = try jsonArray(try await sandbox.ok("annotations", article, "--json")).first { string($0, "id") == clashes }
        #expect(again.flatMap { string($0, "exact") } == "Blinken said" && again.flatMap { string($0, "revision") } != article)

        // The history, and the first text as it was.
        let revisions = try jsonArray(try await sandbox.ok("revisions", article, "--json"))
        #expect(revisions.map { $0["number"] as? Int } == [1, 2] && revisions.map { $0["current"] as? Bool } == [false, true])
        #expect(revisions.last.flatMap { string($0, "note") } == "figure corrected")
        let first = try jsonObject(try await sandbox.ok("show", article, "--revision", "1", "--json"))
        #expect(string(first, "body") == sample.trimmingCharacters(in: .whitespacesAndNewlines) && first["revision_number"] as? Int == 1)
        let onFirst = (first["annotations"] as? [[String: Any]]) ?? []
        #expect(
            onFirst.first { string($0, "id") == figure }.flatMap { ($0["anchor"] as? [String: Any]).flatMap { string($0, "state") } }
                == "exact")

        // Back to the first text: no new revision, it is current again.
        let back = try await sandbox.ok("revise", article, samplePath, "--note", "retracted")
        #expect(back.stdout.contains("Made revision 1 of \(article) current again"), "\(back)")
        #expect(back.stderr.contains("The note was not recorded"), "\(back)")
        let nothing = try await sandbox.ok("revise", article, samplePath)
        #expect(nothing.stdout.contains("Nothing to record"), "\(nothing)")
    }

    @Test func badRevisionInputIsRefusedCleanly() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let annotation = try await sandbox.annotate(article, quote: "three generals")
        let before = try await sandbox.snapshot()
        expectCleanFailure(try await sandbox.gloss("revise", article, "missing.txt"), mentioning: ["cannot revise with", "no such file"])
        expectCleanFailure(
            try await sandbox.gloss("revise", annotation, try sandbox.copySample(as: "again.txt")), mentioning: ["annotation"])
        let empty = try sandbox.write("empty.txt", " \n")
        expectCleanFailure(try await sandbox.gloss("revise", article, empty), mentioning: ["it is empty"])
        expectCleanFailure(try await sandbox.gloss("show", article, "--revision", "2"), mentioning: ["1 revision", "no revision 2"])
        expectCleanFailure(try await sandbox.gloss("reanchor", annotation, "--quote", "not in the text"), mentioning: ["does not contain"])
        expectCleanFailure(try await sandbox.gloss("reanchor", article, "--quote", "Blinken"), mentioning: ["is an article"])
        expectCleanFailure(
            try await sandbox.gloss("resolve", article, "revision", "--value", "x"), mentioning: ["not in conflict"])
        #expect(try await sandbox.snapshot() == before, "nothing written")
    }

    @Test func revisionsMadeAtOnceConflictAndConverge() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        let sample = try String(contentsOfFile: try sandbox.copySample(as: "base.txt"), encoding: .utf8)
        let deskText = try sandbox.write("desk.txt", Self.corrected(sample))
        let fieldText = try sandbox.write("field.txt", sample.replacingOccurrences(of: "Oct. 31", with: "Oct. 30"))
        try await sandbox.ok("revise", replicas.article, deskText, "--note", "desk", store: replicas.desk)
        try await sandbox.ok("revise", replicas.article, fieldText, "--note", "field", store: replicas.field)
        // Annotated on the field's revision before they meet.
        let onRevision = try await sandbox.annotate(replicas.article, quote: "Oct. 30", store: replicas.field)
        try await replicas.exchange()
        try await replicas.expectConverged()
        let conflicts = try jsonArray(try await sandbox.ok("conflicts", "--json", store: replicas.desk))
        #expect(conflicts.map { string($0, "field") } == ["revision"], "\(conflicts)")
        let listed = try await sandbox.ok("conflicts", store: replicas.desk)
        #expect(listed.stdout.contains("revision 2: desk") || listed.stdout.contains("revision 3: desk"), "\(listed)")
        try await sandbox.ok("resolve", replicas.article, "revision", "--pick", "1", store: replicas.desk)
        try await replicas.exchange()
        try await replicas.expectConverged()
        let revisions = try jsonArray(try await sandbox.ok("revisions", replicas.article, "--json", store: replicas.field))
        #expect(revisions.count == 3 && revisions.filter { $0["current"] as? Bool == true }.count == 1)
        let made = try #require(
            try jsonArray(try await sandbox.ok("annotations", "--json", store: replicas.desk)).first { string($0, "id") == onRevision })
        #expect(string(made, "revision") != replicas.article, "made on the field's revision, everywhere")

        // Both place the shared annotation by hand at once: a conflict of its anchor, settled by
        // picking (the desk reads the annotation's article to check the place it picks).
        try await sandbox.ok("reanchor", replicas.annotation, "--quote", "Kursk Oblast", "--occurrence", "1", store: replicas.desk)
        try await sandbox.ok("reanchor", replicas.annotation, "--quote", "North Korean troops", "--occurrence", "1", store: replicas.field)
        try await replicas.exchange()
        let placed = try await sandbox.ok("conflicts", store: replicas.desk)
        #expect(placed.stdout.contains(": anchor") && placed.stdout.contains("\"North Korean troops\" in revision"), "\(placed)")
        expectCleanFailure(
            try await sandbox.gloss("resolve", replicas.annotation, "anchor", "--value", "x", store: replicas.desk), mentioning: ["--pick"])
        try await sandbox.ok("resolve", replicas.annotation, "anchor", "--pick", "2", store: replicas.desk)
        try await replicas.exchange()
        try await replicas.expectConverged()
        let shared = try #require(try await replicas.annotationJSON(on: replicas.field))
        #expect(string(shared, "exact") == "Kursk Oblast" || string(shared, "exact") == "North Korean troops", "\(shared)")
    }
}
