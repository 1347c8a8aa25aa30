import GlossCore
import GlossTestSupport
import Testing

/// The model rules of article revisions (SPEC §4.3.2, §4.10): what a change may hold, what a
/// state accepts, and the first-adder rule that numbers revisions alike everywhere.
@Suite struct RevisionTests {
    let alice = ID128(high: 0xA, low: 0)
    let bob = ID128(high: 0xB, low: 0)
    let first = "Council approves a 4.2 million budget. The mayor said the vote was close."
    let second = "Council approves a 4.3 million budget. The mayor said the vote was close."
    var article: EntityID { ArticleText.id(of: first) }
    var revision: EntityID { ArticleText.id(of: second) }

    func change(_ replica: ReplicaID, _ seq: UInt64, after dependencies: VersionVector = VersionVector(), _ operations: [Operation])
        -> Change
    {
        Change(id: Dot(replica: replica, seq: seq), dependencies: dependencies, time: 1_000 * seq, operations: operations)
    }

    func imported() throws -> ReplicaState {
        var state = ReplicaState()
        try state.apply(change(alice, 1, [.createArticle(id: article, body: first)]))
        return state
    }

    @Test func aRevisionIsAddedAndMadeCurrentWithoutTouchingTheFirstText() throws {
        var state = try imported()
        #expect(state.articles[article]!.currentRevision == article)
        try state.apply(
            change(
                alice, 2,
                [
                    .addRevision(article: article, revision: revision, note: "figure corrected", body: second),
                    .set(entity: article, field: .revision, value: revision.hex),
                ]))
        let held = state.articles[article]!
        #expect(held.body == first && held.currentBody == second && held.currentRevision == revision)
        #expect(held.revisionHistory == [article, revision])
        #expect(held.revisions[revision]?.note == "figure corrected")
    }

    @Test func aChangeMustNameRevisionsByTheirText() throws {
        var state = try imported()
        let wrongID = ID128(high: 1, low: 2)
        let refusals: [[Operation]] = [
            [.addRevision(article: article, revision: wrongID, note: "", body: second)],
            [.addRevision(article: article, revision: article, note: "", body: first)],
            [.set(entity: article, field: .revision, value: revision.hex)],  // not held
            [.set(entity: article, field: .revision, value: revision.hex.uppercased())],
            [.set(entity: article, field: .revision, value: "")],
        ]
        for operations in refusals {
            #expect(throws: GlossCoreError.self, "\(operations)") { try state.apply(change(alice, 2, after: VersionVector(), operations)) }
        }
        #expect(state == (try imported()), "a refused change leaves nothing behind")
        // The first text is a revision the field may name.
        try state.apply(change(alice, 2, [.set(entity: article, field: .revision, value: article.hex)]))
        #expect(state.articles[article]!.currentRevision == article)
    }

    @Test func anAnnotationOnARevisionMustQuoteThatRevision() throws {
        var state = try imported()
        try state.apply(change(alice, 2, [.addRevision(article: article, revision: revision, note: "", body: second)]))
        let quote = Anchor(exact: "4.3 million", prefix: "", suffix: "", start: 19, end: 30, revision: revision)
        let onFirst = Anchor(exact: "4.3 million", prefix: "", suffix: "", start: 19, end: 30)
        let id = ID128.annotation(createdAt: Dot(replica: alice, seq: 3), index: 0)
        #expect(throws: GlossCoreError.self) {
            try state.apply(change(alice, 3, [.createAnnotation(id: id, article: article, anchor: onFirst)]))
        }
        var namesFirst = quote
        namesFirst.revision = article
        #expect(throws: GlossCoreError.self) {
            try state.apply(change(alice, 3, [.createAnnotation(id: id, article: article, anchor: namesFirst)]))
        }
        try state.apply(change(alice, 3, [.createAnnotation(id: id, article: article, anchor: quote)]))
        #expect(state.annotations[id]!.anchor.revision == revision)
    }

    @Test func theFirstAdderIsTheLowestRankWhateverTheOrder() throws {
        let base = try imported()
        let clock = base.clock
        // Bob adds the text after seeing more (a higher rank); Alice adds it concurrently.
        let bobFirst = change(bob, 1, after: clock, [.set(entity: article, field: .title, value: "Budget")])
        let bobAdds = change(bob, 2, after: clock, [.addRevision(article: article, revision: revision, note: "bob", body: second)])
        let aliceAdds = change(alice, 2, [.addRevision(article: article, revision: revision, note: "alice", body: second)])
        var one = base
        var two = base
        for next in [bobFirst, bobAdds, aliceAdds] { try one.apply(next) }
        for next in [aliceAdds, bobFirst, bobAdds] { try two.apply(next) }
        #expect(one == two)
        #expect(one.articles[article]!.revisions[revision]?.note == "alice", "rank 2 comes before rank 3")
        #expect(StateDigest.of(one) == StateDigest.of(two))
    }

    @Test func revisionsMadeAtOnceAreAConflictOfTheCurrentRevision() throws {
        let base = try imported()
        let third = "Council approves the budget."
        var state = base
        try state.apply(
            change(
                alice, 2,
                [
                    .addRevision(article: article, revision: revision, note: "", body: second),
                    .set(entity: article, field: .revision, value: revision.hex),
                ]))
        try state.apply(
            change(
                bob, 1, after: base.clock,
                [
                    .addRevision(article: article, revision: ArticleText.id(of: third), note: "", body: third),
                    .set(entity: article, field: .revision, value: ArticleText.id(of: third).hex),
                ]))
        #expect(state.conflicts.map(\.field) == ["revision"])
        let revise = ReviseIntent(article: article, body: second)
        let settle = try #require(try state.change(carrying: revise, by: alice, time: 9_000))
        #expect(settle.operations == [.set(entity: article, field: .revision, value: revision.hex)], "held text, field in conflict")
        try state.apply(settle)
        #expect(state.conflicts.isEmpty && state.articles[article]!.currentRevision == revision)
    }

    @Test func reviseWritesNothingForTheTextShown() throws {
        let state = try imported()
        #expect(try state.change(carrying: ReviseIntent(article: article, body: first), by: alice, time: 1) == nil)
        let revise = try #require(try state.change(carrying: ReviseIntent(article: article, body: second, note: "n"), by: alice, time: 1))
        var after = state
        try after.apply(revise)
        #expect(try after.change(carrying: ReviseIntent(article: article, body: second), by: alice, time: 2) == nil)
        let back = try #require(try after.change(carrying: ReviseIntent(article: article, body: first), by: alice, time: 2))
        #expect(back.operations == [.set(entity: article, field: .revision, value: article.hex)], "the first text is held: no add")
    }

    @Test func aPlacedAnchorOverridesTheOneMadeAndMustFitItsRevision() throws {
        var state = try imported()
        let id = ID128.annotation(createdAt: Dot(replica: alice, seq: 2), index: 0)
        let made = Anchor(exact: "mayor", prefix: "", suffix: "", start: 43, end: 48)
        try state.apply(change(alice, 2, [.createAnnotation(id: id, article: article, anchor: made)]))
        for bad in ["\(article.hex) 10 5", "\(article.hex) 0 999", "\(article.hex) 01 5", "\(article.hex) 1  5", "\(revision.hex) 1 5"] {
            #expect(throws: GlossCoreError.self, "\(bad)") {
                try state.apply(change(alice, 3, [.set(entity: id, field: .anchor, value: bad)]))
            }
        }
        try state.apply(change(alice, 3, [.set(entity: id, field: .anchor, value: "\(article.hex) 0 7")]))
        let held = state.annotations[id]!.heldAnchor(on: state.articles[article]!)
        #expect(held.exact == "Council" && held.start == 0 && held.end == 7 && held.suffix.hasPrefix(" approves"))
    }

    @Test func anArticleWithoutRevisionsHashesAsBefore() throws {
        // The canonical form appends revisions only when there are some (SPEC §8): the digest of
        // a state without them is the one every earlier vector records.
        // (The golden vectors' digests, recorded before revisions, check the first half.)
        let state = try imported()
        var revised = state
        try revised.apply(change(alice, 2, [.addRevision(article: article, revision: revision, note: "", body: second)]))
        #expect(StateDigest.hash(of: revised.articles[article]!) != StateDigest.hash(of: state.articles[article]!))
    }

    @Test func placementShowsEachAnnotationOnTheCurrentRevision() throws {
        var state = try imported()
        let id = ID128.annotation(createdAt: Dot(replica: alice, seq: 2), index: 0)
        try state.apply(
            change(
                alice, 2,
                [
                    .createAnnotation(
                        id: id, article: article, anchor: Anchor(exact: "mayor", prefix: "The ", suffix: " said", start: 43, end: 48))
                ]))
        try state.apply(
            change(
                alice, 3,
                [
                    .addRevision(article: article, revision: revision, note: "", body: second),
                    .set(entity: article, field: .revision, value: revision.hex),
                ]))
        var placer = AnchorPlacer(article: state.articles[article]!)
        let shown = placer.place(state.annotations[id]!)
        #expect(shown.state == .exact && shown.range == 43..<48 && shown.revision == revision)
        var onFirst = AnchorPlacer(article: state.articles[article]!, revision: article)
        #expect(onFirst.place(state.annotations[id]!).state == .exact)
    }
}
