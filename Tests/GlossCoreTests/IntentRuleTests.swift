import GlossCore
import GlossTestSupport
import Testing

/// Each intent's rules on hand-built states: what it writes, what it skips, what it refuses.
@Suite struct IntentRuleTests {
    let body = RandomEdits.texts[0]
    var article: EntityID { ArticleText.id(of: body) }

    /// The desk imports the article and annotates "Kursk Oblast" with note "first", tag
    /// `verify`; the field holds the same.
    func sharedStart() throws -> (desk: SimulatedReplica, field: SimulatedReplica, annotation: EntityID) {
        var desk = SimulatedReplica(number: 1)
        try desk.perform(ImportIntent(articles: [.init(body: body)]))
        let change = try #require(
            try desk.perform(AnnotateIntent(article: article, quote: "Kursk Oblast", note: "first", tags: ["verify"])))
        var field = SimulatedReplica(number: 2)
        try field.receive(desk.log)
        return (desk, field, AnnotateIntent.annotationID(createdBy: change.id))
    }

    @Test func anAddOfAPresentTagWinsOverAConcurrentRemove() throws {
        var (desk, field, annotation) = try sharedStart()
        try desk.perform(EditIntent(target: annotation, removeTags: ["verify"]))
        let add = try #require(try field.perform(EditIntent(target: annotation, addTags: ["verify", "numbers"])))
        #expect(add.operations.contains(.addTag(entity: annotation, tag: "verify")), "the add of a present tag was skipped")
        try desk.receive(field.log)
        try field.receive(desk.log)
        #expect(desk.state == field.state)
        #expect(desk.state.annotations[annotation]?.tags.elements == ["numbers", "verify"])
    }

    @Test func writingTheValueAFieldHoldsAloneIsSkipped() throws {
        var (desk, _, annotation) = try sharedStart()
        #expect(try desk.perform(EditIntent(target: annotation, fields: [.note: "first"])) == nil)
    }

    @Test func writingAValueThatHasAConcurrentSiblingIsNotSkipped() throws {
        var (desk, field, annotation) = try sharedStart()
        try desk.perform(EditIntent(target: annotation, fields: [.note: "desk"]))
        try field.perform(EditIntent(target: annotation, fields: [.note: "field"]))
        try desk.receive(field.log)
        // The desk shows one of the two; writing either settles the conflict, so it is written.
        let shown = try #require(desk.state.annotations[annotation]?.value(of: .note))
        let change = try #require(try desk.perform(EditIntent(target: annotation, fields: [.note: shown])))
        #expect(change.operations == [.set(entity: annotation, field: .note, value: shown)])
        #expect(desk.state.conflicts.isEmpty)
    }

    @Test func writingTheSameValueToAnAnnotationInADeleteConflictKeepsIt() throws {
        var (desk, field, annotation) = try sharedStart()
        try desk.perform(DeleteIntent(annotation: annotation))
        try field.perform(EditIntent(target: annotation, fields: [.color: "red"]))
        try desk.receive(field.log)
        #expect(desk.state.conflicts.map(\.field) == [Conflict.deletedField])
        #expect(try desk.perform(EditIntent(target: annotation, fields: [.note: "first"])) != nil)
        #expect(desk.state.conflicts.isEmpty)
        #expect(desk.state.annotations[annotation]?.presence.isAlive == true)
    }

    @Test func reimportingAnArticleAddsTheTagsGivenEvenWhenPresent() throws {
        var (desk, _, _) = try sharedStart()
        try desk.perform(ImportIntent(articles: [.init(body: body)], tags: ["europe"]))
        let again = try #require(try desk.perform(ImportIntent(articles: [.init(body: body)], tags: ["europe"])))
        #expect(again.operations == [.addTag(entity: article, tag: "europe")])
        #expect(try desk.perform(ImportIntent(articles: [.init(body: body)])) == nil, "the same text with nothing new")
    }

    @Test func refusals() throws {
        var (desk, _, annotation) = try sharedStart()
        let state = desk.state
        let dot = Dot(replica: desk.id, seq: state.clock[desk.id] + 1)
        func code(_ intent: some Intent) -> IntentError.Code? {
            do {
                _ = try intent.operations(on: state, as: dot)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code(EditIntent(target: annotation, removeTags: ["nope"])) == .badTag)
        #expect(code(EditIntent(target: annotation, addTags: [" "])) == .badTag)
        #expect(code(EditIntent(target: annotation, addTags: ["x"], removeTags: ["x"])) == .contradictory)
        #expect(code(EditIntent(target: annotation, fields: [.title: "x"])) == .wrongKind)
        #expect(code(EditIntent(target: ID128(high: 9, low: 9), fields: [.note: "x"])) == .noSuchEntity)
        #expect(code(DeleteIntent(annotation: article)) == .wrongKind)
        #expect(code(AnnotateIntent(article: article, quote: "Pyongyang")) == .badQuote)
        #expect(code(AnnotateIntent(article: annotation, quote: "Kursk")) == .wrongKind)
        #expect(code(ResolveIntent(target: annotation, subject: .field(.note), choice: .pick(1))) == .notInConflict)
        #expect(code(ResolveIntent(target: annotation, subject: .presence, choice: .keep)) == .notInConflict)
        try desk.perform(DeleteIntent(annotation: annotation))
        #expect(throws: IntentError.self) { try desk.perform(DeleteIntent(annotation: annotation)) }
        #expect(throws: IntentError.self) { try desk.perform(EditIntent(target: annotation, fields: [.note: "x"])) }
    }

    @Test func resolutionsPickByTheNumberConflictsShowAndMergeTexts() throws {
        var (desk, field, annotation) = try sharedStart()
        try desk.perform(EditIntent(target: annotation, fields: [.note: "HUR is the only source"]))
        try field.receive(desk.log)
        try desk.perform(EditIntent(target: annotation, fields: [.note: "UKR is the only source"]))
        try field.perform(EditIntent(target: annotation, fields: [.note: "HUR is the only witness"]))
        try desk.receive(field.log)
        let conflict = try #require(desk.state.conflicts.first)
        var picking = desk
        try picking.perform(ResolveIntent(target: annotation, subject: .field(.note), choice: .pick(2)))
        #expect(picking.state.annotations[annotation]?.value(of: .note) == conflict.values[1].value)
        #expect(picking.state.conflicts.isEmpty)
        #expect(throws: IntentError.self) {
            try desk.perform(ResolveIntent(target: annotation, subject: .field(.note), choice: .pick(3)))
        }
        try desk.perform(ResolveIntent(target: annotation, subject: .field(.note), choice: .merge))
        #expect(desk.state.annotations[annotation]?.value(of: .note) == "UKR is the only witness")
    }
}
