/// Settles a conflict: a field whose concurrent values are kept side by side, or an annotation
/// deleted on one replica while edited on another.
///
/// - `pick(n)` writes the nth value as `ReplicaState.conflicts` lists them (by dot, from 1), so
///   every replica numbers them alike.
/// - `value(text)` writes a new value over them all.
/// - `merge` writes the word-level 3-way merge of the values against their common ancestor
///   (`ThreeWayMerge`); refused when the edits overlap or there is no single ancestor.
/// - `keep` keeps an annotation in a delete-vs-edit conflict; `pick(n)` of its marks keeps or
///   deletes it.
///
/// A resolution always writes: it is refused, not skipped, when there is nothing in conflict.
public struct ResolveIntent: Intent, Hashable {
    /// What is in conflict: a register field, or an annotation's presence.
    public enum Subject: Hashable, Sendable {
        case field(Field)
        case presence
    }

    public enum Choice: Hashable, Sendable {
        case pick(Int)
        case value(String)
        case merge
        case keep
    }

    public let target: EntityID
    public let subject: Subject
    public let choice: Choice

    public init(target: EntityID, subject: Subject, choice: Choice) {
        self.target = target
        self.subject = subject
        self.choice = choice
    }

    public var reads: Set<EntityID> { [target] }

    public var readsHistory: EntityID? { choice == .merge ? target : nil }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        let entity = try IntentTarget(target, in: state)
        switch subject {
        case .presence: return [try presenceOperation(entity)]
        case .field(let field): return [try fieldOperation(entity, field, history: history)]
        }
    }

    private func presenceOperation(_ entity: IntentTarget) throws(IntentError) -> Operation {
        guard let presence = entity.presence else {
            throw IntentError(.wrongKind, "\(target.hex) is an article; only annotations can be deleted and kept")
        }
        guard presence.isInConflict else {
            throw IntentError(.notInConflict, "annotation \(target.hex) is not in a delete-vs-edit conflict")
        }
        switch choice {
        case .keep:
            return .keepAnnotation(id: target)
        case .pick(let n):
            let marks = presence.entries
            guard (1...marks.count).contains(n) else { throw Self.noSuchValue(n, count: marks.count) }
            return marks[n - 1].mark == .deleted ? .deleteAnnotation(id: target) : .keepAnnotation(id: target)
        case .value, .merge:
            throw IntentError(.contradictory, "a delete-vs-edit conflict is settled by keeping, picking or deleting, not by a value")
        }
    }

    private func fieldOperation(_ entity: IntentTarget, _ field: Field, history: [Change]) throws(IntentError) -> Operation {
        try entity.require(field)
        try entity.requireAlive()
        let values = entity.register(field).values
        guard entity.register(field).isInConflict else {
            throw IntentError(.notInConflict, "the \(field.rawValue) of \(target.hex) is not in conflict")
        }
        switch choice {
        case .pick(let n):
            guard (1...values.count).contains(n) else { throw Self.noSuchValue(n, count: values.count) }
            return .set(entity: target, field: field, value: values[n - 1].value)
        case .value(let text):
            guard !field.isStructured else {
                throw IntentError(.contradictory, "the \(field.rawValue) of \(target.hex) is settled by picking one of its values")
            }
            return .set(entity: target, field: field, value: text)
        case .keep:
            throw IntentError(.contradictory, "keep settles a delete-vs-edit conflict, not the \(field.rawValue)")
        case .merge:
            guard !field.isStructured else {
                throw IntentError(.cannotMerge, "the \(field.rawValue) of \(target.hex) cannot be merged; pick one of its values")
            }
            return .set(entity: target, field: field, value: try merged(values, of: field, history: history))
        }
    }

    private func merged(_ values: [RegisterValue], of field: Field, history: [Change]) throws(IntentError) -> String {
        let shown = values.enumerated().map { "[\($0.offset + 1)] \"\($0.element.value)\"" }.joined(separator: " ")
        guard let base = ThreeWayMerge.commonAncestor(of: field, of: target, siblings: values.map(\.dot), history: history) else {
            throw IntentError(
                .cannotMerge,
                "cannot merge the \(field.rawValue) of \(target.hex): the values have more than one common ancestor. Values: \(shown)")
        }
        var merged = values[0].value
        for sibling in values.dropFirst() {
            guard case .merged(let text) = ThreeWayMerge.merge(base: base, ours: merged, theirs: sibling.value) else {
                throw IntentError(.cannotMerge, "cannot merge the \(field.rawValue) of \(target.hex): the edits overlap. Values: \(shown)")
            }
            merged = text
        }
        return merged
    }

    private static func noSuchValue(_ n: Int, count: Int) -> IntentError {
        IntentError(.noSuchValue, "pick \(n): there are \(count) values, numbered from 1")
    }
}
