import Foundation
import GlossCore
import GlossTestSupport
import Testing

/// `Reanchoring` measured on revisions with ground truth (`RevisionCorpus`): 28 Wikinews
/// articles, a random highlight in each case, one edit of each kind real corrections make.
/// Wrong anchors must be 0; where the highlighted words survive, at least 95 % must be placed
/// correctly (exact, moved, or fuzzy at the right place). The report is printed, and quoted in
/// the README. REANCHOR_SEED=N makes another corpus; REANCHOR_DEBUG=1 prints each wrong or
/// missed case.
@Suite struct ReanchoringCorpusTests {
    /// REANCHOR_SEED=N runs another corpus (the README quotes this one).
    static let seed: UInt64 = ProcessInfo.processInfo.environment["REANCHOR_SEED"].flatMap { UInt64($0) } ?? 20_261_127
    static let perKind = 200

    static func articles() throws -> [String] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/wikinews-28.json")
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: String]] ?? []
        // As Gloss stores an article: line endings unified.
        return rows.compactMap { $0["text"] }.map { ArticleText.normalized($0) }
    }

    /// How one case came out.
    enum Verdict: String, CaseIterable {
        case correct
        case orphanedRightly = "orphaned (passage gone)"
        case missed = "orphaned (passage there)"
        case wrong
    }

    /// Correct: placed where the truth is, overlapping it by at least half of their union (a
    /// fuzzy passage may differ from the truth at its edges). Wrong: placed anywhere else, or
    /// placed when the passage is gone.
    static func verdict(_ result: Reanchoring.Result, truth: Range<Int>?) -> Verdict {
        switch (result.range, truth) {
        case (nil, nil): return .orphanedRightly
        case (nil, _?): return .missed
        case (_?, nil): return .wrong
        case (let placed?, let truth?):
            let overlap = max(0, min(placed.upperBound, truth.upperBound) - max(placed.lowerBound, truth.lowerBound))
            let union = max(placed.upperBound, truth.upperBound) - min(placed.lowerBound, truth.lowerBound)
            return overlap * 2 >= union ? .correct : .wrong
        }
    }

    @Test func noAnchorIsWrongAndNearlyAllSurvivingPassagesAreFound() throws {
        let cases = RevisionCorpus.cases(articles: try Self.articles(), perKind: Self.perKind, seed: Self.seed)
        #expect(cases.count == Self.perKind * RevisionCorpus.EditKind.allCases.count, "every kind has its cases")
        var report = [
            "| edit | cases | passage survives | correct | orphaned, passage gone | orphaned, passage there | wrong | recall | states (exact / moved / fuzzy / orphaned) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        var totals: [Verdict: Int] = [:]
        for kind in RevisionCorpus.EditKind.allCases {
            let ofKind = cases.filter { $0.kind == kind }
            var verdicts: [Verdict: Int] = [:]
            var states: [Reanchoring.State: Int] = [:]
            for example in ofKind {
                let result = Reanchoring.anchor(example.anchor, from: example.old, to: example.new)
                let verdict = Self.verdict(result, truth: example.truth)
                verdicts[verdict, default: 0] += 1
                states[result.state, default: 0] += 1
                if verdict == .wrong || verdict == .missed, ProcessInfo.processInfo.environment["REANCHOR_DEBUG"] != nil {
                    let newScalars = Array(example.new.unicodeScalars)
                    let got = result.range.map { String(String.UnicodeScalarView(newScalars[$0])) } ?? "-"
                    let want = example.truth.map { String(String.UnicodeScalarView(newScalars[$0])) } ?? "-"
                    print(
                        "DBG \(kind.rawValue) \(verdict): quote «\(example.anchor.exact)» got «\(got)» \(result.state) \(result.score) want «\(want)»"
                    )
                }
                #expect(
                    verdict != .wrong,
                    "\(kind.rawValue): \"\(example.anchor.exact)\" placed at \(result) where the truth is \(String(describing: example.truth))"
                )
            }
            let surviving = ofKind.count { $0.truth != nil }
            let recall = surviving == 0 ? 1 : Double(verdicts[.correct, default: 0]) / Double(surviving)
            #expect(recall >= 0.95, "\(kind.rawValue): recall \(recall)")
            for (verdict, count) in verdicts { totals[verdict, default: 0] += count }
            let stateCounts = Reanchoring.State.allCases.map { "\(states[$0, default: 0])" }.joined(separator: " / ")
            report.append(
                "| \(kind.rawValue) | \(ofKind.count) | \(surviving) | \(verdicts[.correct, default: 0]) | \(verdicts[.orphanedRightly, default: 0]) | \(verdicts[.missed, default: 0]) | \(verdicts[.wrong, default: 0]) | \(String(format: "%.1f", recall * 100)) % | \(stateCounts) |"
            )
        }
        print("Re-anchoring corpus (seed \(Self.seed), \(Self.perKind) cases per edit kind):\n" + report.joined(separator: "\n"))
        #expect(totals[.wrong, default: 0] == 0)
    }

    @Test func theCorpusHasPassagesThatSurviveAndPassagesThatAreGone() throws {
        let cases = RevisionCorpus.cases(articles: try Self.articles(), perKind: 50, seed: Self.seed)
        let deleted = cases.filter { $0.kind == .sentenceDeleted }
        #expect(deleted.contains { $0.truth == nil } && deleted.contains { $0.truth != nil })
        let inside = cases.filter { $0.kind == .wordInsideChanged }
        #expect(inside.allSatisfy { $0.old != $0.new })
        let moved = cases.filter { $0.kind == .paragraphMoved }
        #expect(moved.contains { example in example.truth.map { $0.lowerBound != Int(example.anchor.start) } ?? false })
    }
}
