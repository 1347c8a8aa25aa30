/// Edits an article's title and source, an annotation's note and color, and either's tags.
///
/// - A field is written unless it already holds exactly that value with nothing concurrent
///   beside it (and, for an annotation, no delete waiting to be settled): the write then
///   changes nothing any replica could see, so it is skipped.
/// - Every tag to add is written, present or not: the add must win over any remove that has
///   not seen it, and a skipped add would let a concurrent remove take the tag.
/// - A tag to remove must be present; the remove drops the adds this replica has seen.
/// - A title may not be blank; an empty color means none (`check(_:for:)`).
///
///     EditIntent(target: annotation, fields: [.note: "HUR and the Pentagon"], addTags: ["sourced"], removeTags: ["verify"])
public struct EditIntent: Intent, Hashable {
    public let target: EntityID
    public let fields: [Field: String]
    public let addTags: [String]
    public let removeTags: [String]

    public init(target: EntityID, fields: [Field: String] = [:], addTags: [String] = [], removeTags: [String] = []) {
        self.target = target
        self.fields = fields
        self.addTags = addTags
        self.removeTags = removeTags
    }

    public var reads: Set<EntityID> { [target] }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        let entity = try IntentTarget(target, in: state)
        try entity.requireAlive()
        let adds = try IntentTags.distinct(addTags)
        let removes = try IntentTags.distinct(removeTags)
        if let both = Set(adds.map(ExactText.init)).intersection(removes.map(ExactText.init)).min() {
            throw IntentError(.contradictory, "tag '\(both.string)' is both added and removed")
        }
        var operations: [Operation] = []
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
            try entity.require(field)
            try Self.check(value, for: field)
            if entity.alreadyHoldsOnly(value, in: field) { continue }
            operations.append(.set(entity: target, field: field, value: value))
        }
        operations += adds.map { .addTag(entity: target, tag: $0) }
        for tag in removes {
            guard entity.tags.contains(tag) else { throw IntentError(.badTag, "\(target.hex) has no tag '\(tag)'") }
            operations.append(.removeTag(entity: target, tag: tag))
        }
        return operations
    }

    /// A title needs some text; a color is a name, or empty for none (a removed color). A note
    /// or a source may be anything, empty included.
    static func check(_ value: String, for field: Field) throws(IntentError) {
        let blank = value.unicodeScalars.allSatisfy(\.properties.isWhitespace)
        switch field {
        case .title where blank: throw IntentError(.badValue, "a title needs some text")
        case .color where blank && !value.isEmpty: throw IntentError(.badValue, "a color needs a name (an empty one removes it)")
        case .revision: throw IntentError(.badValue, "a revision is recorded with revise, not edited")
        case .anchor: throw IntentError(.badValue, "an annotation is placed with reanchor, not edited")
        default: break
        }
    }
}
