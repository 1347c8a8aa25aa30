import GlossCore
import GlossTestSupport
import Testing

/// The merge rules one at a time, on hand-built histories of two replicas.
@Suite struct MergeRuleTests {
    let desk = ID128(high: 1, low: 1)
    let field = ID128(high: 2, low: 2)
    let body = "Some 8,000 troops were deployed to Kursk Oblast, Blinken said of Kursk Oblast."
    var article: EntityID { ArticleText.id(of: body) }

    func change(_ replica: ReplicaID, _ seq: UInt64, seen: VersionVector, _ operations: [Operation]) -> Change {
        Change(id: Dot(replica: replica, seq: seq), dependencies: seen, time: seq, operations: operations)
    }

    /// desk:1 imports the article, desk:2 annotates it; both replicas hold both.
    func sharedStart() throws -> (ReplicaState, EntityID) {
        var state = ReplicaState()
        try state.apply(change(desk, 1, seen: [:], [.createArticle(id: article, body: body)]))
        let anchor = try QuoteAnchoring.anchor(quote: "Kursk Oblast", in: body, occurrence: 2)
        let annotation = ID128.annotation(createdAt: Dot(replica: desk, seq: 2), index: 0)
        try state.apply(change(desk, 2, seen: state.clock, [.createAnnotation(id: annotation, article: article, anchor: anchor)]))
        return (state, annotation)
    }

    @Test func aWriteSupersedesTheValuesItsAuthorHadSeen() throws {
        var (state, annotation) = try sharedStart()
        try state.apply(change(desk, 3, seen: state.clock, [.set(entity: annotation, field: .note, value: "first")]))
        try state.apply(change(field, 1, seen: state.clock, [.set(entity: annotation, field: .note, value: "second")]))
        let register = try #require(state.annotations[annotation]?.registers[.note])
        #expect(register.values.map(\.value) == ["second"])
        #expect(!register.isInConflict)
    }

    @Test func aConcurrentAddWinsOverARemove() throws {
        var (state, annotation) = try sharedStart()
        try state.apply(change(desk, 3, seen: state.clock, [.addTag(entity: annotation, tag: "todo")]))
        let seen = state.clock
        try state.apply(change(desk, 4, seen: seen, [.removeTag(entity: annotation, tag: "todo")]))
        #expect(state.annotations[annotation]?.tags.contains("todo") == false)
        try state.apply(change(field, 1, seen: seen, [.addTag(entity: annotation, tag: "todo")]))
        #expect(state.annotations[annotation]?.tags.contains("todo") == true)
    }

    @Test func anEditConcurrentWithADeleteKeepsTheAnnotationInConflict() throws {
        var (state, annotation) = try sharedStart()
        let seen = state.clock
        try state.apply(change(desk, 3, seen: seen, [.deleteAnnotation(id: annotation)]))
        #expect(state.annotations[annotation]?.presence.isAlive == false)
        try state.apply(change(field, 1, seen: seen, [.set(entity: annotation, field: .note, value: "source confirmed")]))
        let presence = try #require(state.annotations[annotation]?.presence)
        #expect(presence.isAlive && presence.isInConflict)
        #expect(state.conflicts.map(\.field) == [Conflict.deletedField])
        try state.apply(change(field, 2, seen: state.clock, [.keepAnnotation(id: annotation)]))
        #expect(state.annotations[annotation]?.presence.isInConflict == false)
        #expect(state.annotations[annotation]?.presence.isAlive == true)
    }

    @Test func aDeleteThatSawEveryEditRemovesTheAnnotation() throws {
        var (state, annotation) = try sharedStart()
        try state.apply(change(field, 1, seen: state.clock, [.set(entity: annotation, field: .note, value: "x")]))
        try state.apply(change(desk, 3, seen: state.clock, [.deleteAnnotation(id: annotation)]))
        #expect(state.annotations[annotation]?.presence.isAlive == false)
        #expect(state.conflicts.isEmpty)
    }

    @Test func changesMissingPredecessorsAreRefusedAndLeaveNoTrace() throws {
        var (state, annotation) = try sharedStart()
        let before = state
        let skipping = change(desk, 4, seen: [:], [.set(entity: annotation, field: .note, value: "x")])
        #expect(throws: GlossCoreError.self) { try state.apply(skipping) }
        let unseenDependency = change(field, 1, seen: [desk: 9], [.set(entity: annotation, field: .note, value: "x")])
        #expect(throws: GlossCoreError.self) { try state.apply(unseenDependency) }
        #expect(state == before)
    }

    @Test func invalidChangesAreRefusedWhole() throws {
        var (state, annotation) = try sharedStart()
        let before = state
        let wrongArticleID = change(
            field, 1, seen: state.clock,
            [
                .set(entity: annotation, field: .note, value: "applied?"),
                .createArticle(id: ID128(high: 7, low: 7), body: "text"),
            ])
        #expect(throws: GlossCoreError.self) { try state.apply(wrongArticleID) }
        let titleOnAnnotation = change(field, 1, seen: state.clock, [.set(entity: annotation, field: .title, value: "t")])
        #expect(throws: GlossCoreError.self) { try state.apply(titleOnAnnotation) }
        let anchorOutside = change(
            field, 1, seen: state.clock,
            [
                .createAnnotation(
                    id: ID128.annotation(createdAt: Dot(replica: field, seq: 1), index: 0), article: article,
                    anchor: Anchor(exact: "troops", prefix: "", suffix: "", start: 0, end: 6))
            ])
        #expect(throws: GlossCoreError.self) { try state.apply(anchorOutside) }
        #expect(state == before)
    }

    @Test func reapplyingAChangeChangesNothing() throws {
        var (state, _) = try sharedStart()
        let again = change(desk, 1, seen: [:], [.createArticle(id: article, body: body)])
        let before = state
        #expect(try state.apply(again) == false)
        #expect(state == before)
    }
}

@Suite struct TextRuleTests {
    @Test func normalizationUnifiesLineEndingsAndNothingElse() {
        #expect(ArticleText.normalized("\u{FEFF}a\r\nb\rc\n\n  ") == "a\nb\nc")
        #expect(ArticleText.normalized("  café\tx") == "  café\tx")
        #expect(ArticleText.id(of: ArticleText.normalized("a\r\nb")) == ArticleText.id(of: "a\nb"))
    }

    @Test func defaultTitleIsTheFirstLineOrSentence() {
        #expect(ArticleText.defaultTitle(of: "# Heading\nbody", markdown: true) == "Heading")
        #expect(ArticleText.defaultTitle(of: "#1 priority: the bridge.\nbody", markdown: true) == "#1 priority: the bridge.")
        #expect(ArticleText.defaultTitle(of: "# Not markdown\nbody") == "# Not markdown")
        #expect(ArticleText.defaultTitle(of: "\n  First one. Second one.\nMore") == "First one.")
        #expect(ArticleText.defaultTitle(of: "U.S. troops moved. Dr. Who said so.") == "U.S. troops moved.")
        #expect(ArticleText.defaultTitle(of: "Said on Oct. 31 by Mr. Blinken") == "Said on Oct. 31 by Mr. Blinken")
    }

    @Test func quotesAnchorByScalarOffsetsWithContext() throws {
        let body = "Kursk Oblast 🇺🇦 and again Kursk Oblast."
        let contexts = ["«Kursk Oblast» 🇺🇦 and again Kursk…", "…Oblast 🇺🇦 and again «Kursk Oblast»."]
        #expect(throws: QuoteAnchoring.Failure.ambiguous(count: 2, contexts: contexts)) {
            try QuoteAnchoring.anchor(quote: "Kursk Oblast", in: body, occurrence: nil)
        }
        #expect(throws: QuoteAnchoring.Failure.notFound) { try QuoteAnchoring.anchor(quote: "Kyiv", in: body, occurrence: nil) }
        #expect(throws: QuoteAnchoring.Failure.noSuchOccurrence(requested: 3, count: 2)) {
            try QuoteAnchoring.anchor(quote: "Kursk Oblast", in: body, occurrence: 3)
        }
        let anchor = try QuoteAnchoring.anchor(quote: "Kursk Oblast", in: body, occurrence: 2)
        #expect(anchor.start == 26 && anchor.end == 38)
        #expect(anchor.prefix == "Kursk Oblast 🇺🇦 and again ")
        #expect(anchor.suffix == ".")
    }

    @Test func quotesBeginAndEndBetweenCharacters() {
        #expect(QuoteAnchoring.occurrences(of: "cafe", in: "a cafe\u{301} and a cafe.") == [14])
        #expect(QuoteAnchoring.occurrences(of: "cafe\u{301}", in: "a cafe\u{301} and a cafe.") == [2])
    }

    @Test(arguments: [
        ("the cat sat", "the black cat sat", "the cat sat down", ThreeWayMerge.Outcome.merged("the black cat sat down")),
        ("call the source", "call the source today", "call the source today", .merged("call the source today")),
        ("call the source", "call Anna", "call Boris", .overlapping),
        ("", "added here", "added there", .overlapping),
        ("a b c", "a b c", "a x c", .merged("a x c")),
    ])
    func threeWayMergeCombinesSeparateEditsAndRefusesOverlaps(base: String, ours: String, theirs: String, expected: ThreeWayMerge.Outcome) {
        #expect(ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs) == expected)
    }
}

/// Text is compared by bytes: Unicode-equivalent spellings are different values everywhere,
/// so replicas never pick different bytes for "the same" tag.
@Suite struct ExactTextTests {
    let composed = "caf\u{E9}"
    let decomposed = "cafe\u{301}"

    @Test func equivalentTagsInEitherOrderGiveTheSameDigest() throws {
        let replica = ID128(high: 1, low: 1)
        let body = "An article about coffee."
        let article = ArticleText.id(of: body)
        let create = Change(
            id: Dot(replica: replica, seq: 1), dependencies: [:], time: 1, operations: [.createArticle(id: article, body: body)])
        let first = Change(
            id: Dot(replica: ID128(high: 2, low: 2), seq: 1), dependencies: [replica: 1], time: 2,
            operations: [.addTag(entity: article, tag: composed)])
        let second = Change(
            id: Dot(replica: ID128(high: 3, low: 3), seq: 1), dependencies: [replica: 1], time: 3,
            operations: [.addTag(entity: article, tag: decomposed)])
        var one = ReplicaState()
        var other = ReplicaState()
        for change in [create, first, second] { try one.apply(change) }
        for change in [create, second, first] { try other.apply(change) }
        #expect(StateDigest.of(one) == StateDigest.of(other))
        #expect(one.articles[article]?.tags.elements.count == 2)
    }

    @Test func changesDifferingOnlyInNormalizationAreDifferent() {
        let entity = ID128(high: 5, low: 5)
        #expect(Operation.set(entity: entity, field: .note, value: composed) != .set(entity: entity, field: .note, value: decomposed))
        #expect(Operation.set(entity: entity, field: .note, value: composed) == .set(entity: entity, field: .note, value: composed))
    }

    @Test func aChangeNumberedZeroIsInvalidNotHeld() {
        var state = ReplicaState()
        let zero = Change(
            id: Dot(replica: ID128(high: 1, low: 1), seq: 0), dependencies: [:], time: 0,
            operations: [.createArticle(id: ArticleText.id(of: "x"), body: "x")])
        #expect(throws: GlossCoreError.self) { try state.apply(zero) }
    }
}

@Suite struct TextWithNULTests {
    @Test func aChangeWithUPlus0000InItsTextIsInvalid() throws {
        let body = "An article."
        let id = ArticleText.id(of: body)
        let replica = ID128(high: 1, low: 1)
        var state = ReplicaState()
        try state.apply(
            Change(id: Dot(replica: replica, seq: 1), dependencies: [:], time: 1, operations: [.createArticle(id: id, body: body)]))
        for operation in [Operation.set(entity: id, field: .title, value: "a\u{0}b"), .addTag(entity: id, tag: "t\u{0}")] {
            let change = Change(id: Dot(replica: replica, seq: 2), dependencies: [:], time: 2, operations: [operation])
            #expect(throws: GlossCoreError.self) { try state.apply(change) }
        }
        let withNUL = "Body\u{0}text."
        let article = Change(
            id: Dot(replica: replica, seq: 2), dependencies: [:], time: 2,
            operations: [.createArticle(id: ArticleText.id(of: withNUL), body: withNUL)])
        #expect(throws: GlossCoreError.self) { try state.apply(article) }
    }
}

/// Fixes from the review of the merge rules.
@Suite struct MergeReviewRegressionTests {
    let high = ID128(high: 9, low: 9), low = ID128(high: 1, low: 1)
    let body = "An article with a title."
    var article: EntityID { ArticleText.id(of: body) }

    func change(_ replica: ReplicaID, _ seq: UInt64, _ seen: VersionVector, _ title: String, create: Bool = false) -> Change {
        var operations: [Operation] = create ? [.createArticle(id: article, body: body)] : []
        operations.append(.set(entity: article, field: .title, value: title))
        return Change(id: Dot(replica: replica, seq: seq), dependencies: seen, time: seq, operations: operations)
    }

    /// H and L write concurrently ("p", "q"), exchange, then H resolves to "p" while L edits "q r":
    /// the siblings share two latest ancestors that differ, so there is no one base to merge from.
    @Test func aCrissCrossHistoryHasNoSingleCommonAncestor() {
        let h1 = change(high, 1, [:], "o", create: true)
        let h2 = change(high, 2, [:], "p")
        let l1 = change(low, 1, [high: 1], "q")
        let h3 = change(high, 3, [low: 1], "p")
        let l2 = change(low, 2, [high: 2], "q r")
        let history = [l2, h3, l1, h2, h1]
        #expect(ThreeWayMerge.commonAncestor(of: .title, of: article, siblings: [h3.id, l2.id], history: history) == nil)
        #expect(ThreeWayMerge.commonAncestor(of: .title, of: article, siblings: [h2.id, l1.id], history: history) == "o")
    }

    @Test func aPeersAbsurdClockSumsWithoutTrapping() {
        let vector = VersionVector([high: .max / 2 + 1, low: .max / 2 + 1])
        #expect(vector.total == .max)
        #expect(VersionVector().missing(from: vector) == .max, "what a sync's progress counts")
    }

    @Test func missingCountsWhatTheOtherVectorHoldsBeyondThisOne() {
        let mine = VersionVector([high: 5, low: 2])
        let theirs = VersionVector([high: 3, low: 7])
        #expect(mine.missing(from: theirs) == 5 && theirs.missing(from: mine) == 2)
        #expect(mine.missing(from: mine) == 0 && VersionVector().missing(from: mine) == 7)
    }

    @Test func mergeComparesBytesNotUnicodeEquivalence() {
        let composed = "caf\u{E9} notes"
        let decomposed = "cafe\u{301} notes"
        #expect(ThreeWayMerge.merge(base: composed, ours: decomposed, theirs: composed) == .merged(decomposed))
    }
}

/// Re-issuing a change under another author (a restored or copied store, SPEC §4.10).
@Suite struct ReissueTests {
    @Test func annotationsGetIdsOfTheNewDotAndLaterReferencesFollow() {
        let old = ID128(high: 1, low: 1)
        let new = Dot(replica: ID128(high: 2, low: 2), seq: 1)
        let article = ArticleText.id(of: "Body text here.")
        let anchor = Anchor(exact: "text", prefix: "Body ", suffix: " here.", start: 5, end: 9)
        let created = ID128.annotation(createdAt: Dot(replica: old, seq: 3), index: 0)
        let first = Change(
            id: Dot(replica: old, seq: 3), dependencies: [:], time: 7,
            operations: [.createAnnotation(id: created, article: article, anchor: anchor), .addTag(entity: article, tag: "t")])
        let second = Change(
            id: Dot(replica: old, seq: 4), dependencies: [:], time: 8, operations: [.set(entity: created, field: .note, value: "n")])
        var renamed: [EntityID: EntityID] = [:]
        let again = first.reissued(as: new, dependencies: [old: 2], renaming: &renamed)
        let renamedID = ID128.annotation(createdAt: new, index: 0)
        #expect(again.id == new && again.time == 7 && again.dependencies == [old: 2])
        #expect(
            again.operations == [.createAnnotation(id: renamedID, article: article, anchor: anchor), .addTag(entity: article, tag: "t")])
        let next = second.reissued(as: Dot(replica: new.replica, seq: 2), dependencies: [old: 2], renaming: &renamed)
        #expect(next.operations == [.set(entity: renamedID, field: .note, value: "n")], "a reference follows the renamed annotation")
    }
}
