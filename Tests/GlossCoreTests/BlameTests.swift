import GlossCore
import Testing

/// `Blame`: who wrote each live value of a field, and what that write replaced.
@Suite struct BlameTests {
    let desk = ID128(high: 1, low: 1)
    let field = ID128(high: 2, low: 2)
    let body = "Some 8,000 troops were deployed to Kursk Oblast, Blinken said."
    var article: EntityID { ArticleText.id(of: body) }
    var annotation: EntityID { ID128.annotation(createdAt: Dot(replica: desk, seq: 2), index: 0) }

    func change(_ replica: ReplicaID, _ seq: UInt64, seen: VersionVector, _ operations: [Operation]) -> Change {
        Change(
            id: Dot(replica: replica, seq: seq), dependencies: seen, time: 1000 * seq + (replica == field ? 1 : 0), operations: operations)
    }

    /// desk writes "a"; then, apart, field writes "b" and desk "c" (each also adding the tag
    /// "verify"); both merge; desk writes "d" having seen both. Another annotation's note, in
    /// the same changes, must not count.
    func history() throws -> [Change] {
        let other = ID128(high: 9, low: 9)
        let anchor = try QuoteAnchoring.anchor(quote: "Kursk Oblast", in: body, occurrence: nil)
        let start = change(desk, 1, seen: [:], [.createArticle(id: article, body: body)])
        let create = change(
            desk, 2, seen: [desk: 1],
            [
                .createAnnotation(id: annotation, article: article, anchor: anchor),
                .set(entity: annotation, field: .note, value: "a"),
            ])
        let b = change(
            field, 1, seen: [desk: 2], [.set(entity: annotation, field: .note, value: "b"), .addTag(entity: annotation, tag: "verify")])
        let c = change(
            desk, 3, seen: [desk: 2],
            [
                .set(entity: annotation, field: .note, value: "c"), .addTag(entity: annotation, tag: "verify"),
                .set(entity: other, field: .note, value: "elsewhere"),
            ])
        let d = change(desk, 4, seen: [desk: 3, field: 1], [.set(entity: annotation, field: .note, value: "d")])
        return [start, create, b, c, d]
    }

    func blame(after count: Int) throws -> (fields: [Blame.Field], tags: [Blame.Tag]) {
        let history = Array(try history().prefix(count))
        var state = ReplicaState()
        for change in history {
            // The "other" annotation does not exist: apply only this annotation's operations.
            let mine = change.operations.filter { $0.entity == annotation || $0.entity == article }
            try state.apply(Change(id: change.id, dependencies: change.dependencies, time: change.time, operations: mine))
        }
        let held = try #require(state.annotations[annotation])
        return Blame.of(annotation, registers: held.registers, tags: held.tags, history: history)
    }

    @Test func eachLiveValueNamesItsWriteAndWhatItReplaced() throws {
        let first = try blame(after: 2)
        #expect(first.fields.map(\.field) == [.note])
        #expect(first.fields[0].values.map(\.value.value) == ["a"] && first.fields[0].values[0].replaced.isEmpty)

        let conflict = try blame(after: 4).fields[0].values

        #expect(Set(conflict.map(\.value.value)) == ["b", "c"])
        #expect(
            conflict.allSatisfy { $0.replaced.map(\.value) == ["a"] }, "each replaced the value it had seen, not its sibling: \(conflict)")

        let settled = try blame(after: 5).fields[0].values
        #expect(settled.map(\.value.value) == ["d"])
        #expect(settled[0].value.dot == Dot(replica: desk, seq: 4) && settled[0].value.time == 4000)
        #expect(Set(settled[0].replaced.map(\.value)) == ["b", "c"], "a write that settles a conflict replaced both sides")
    }

    @Test func aTagNamesEveryAddThatKeepsIt() throws {
        let tags = try blame(after: 5).tags
        #expect(tags.map(\.tag) == ["verify"])
        #expect(tags[0].addedBy.map(\.dot) == [Dot(replica: desk, seq: 3), Dot(replica: field, seq: 1)], "concurrent adds both keep it")
        #expect(tags[0].addedBy.map(\.time) == [3000, 1001])
    }
}
