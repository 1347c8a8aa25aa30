/// A field whose concurrent values are waiting for a person: what `gloss conflicts` lists.
///
/// `field` is a register field's name, or `deleted` for an annotation deleted on one replica
/// while edited on another (its values are then "deleted" and "edited" marks).
public struct Conflict: Hashable, Sendable {
    public struct Value: Hashable, Sendable {
        public let value: String
        public let dot: Dot
        public let time: UInt64
    }

    public static let deletedField = "deleted"

    public let entity: EntityID
    public let kind: EntityKind
    public let field: String
    /// Sorted by dot, so the numbering `resolve --pick N` uses is the same on every replica.
    public let values: [Value]
}

extension ReplicaState {
    /// Every conflict, sorted by entity id then field.
    public var conflicts: [Conflict] {
        let found = articles.values.flatMap(\.conflicts) + annotations.values.flatMap(\.conflicts)
        return found.sorted { ($0.entity, $0.field) < ($1.entity, $1.field) }
    }

    static func conflicts(in registers: [Field: MultiValueRegister], of entity: EntityID, kind: EntityKind) -> [Conflict] {
        registers.sorted { $0.key < $1.key }.compactMap { field, register in
            guard register.isInConflict else { return nil }
            let values = register.values.map { Conflict.Value(value: $0.value, dot: $0.dot, time: $0.time) }
            return Conflict(entity: entity, kind: kind, field: field.rawValue, values: values)
        }
    }

    static func conflict(in presence: PresenceRegister, of entity: EntityID) -> Conflict? {
        guard presence.isInConflict else { return nil }
        let values = presence.entries.map { entry in
            Conflict.Value(value: entry.mark == .deleted ? "deleted" : "edited", dot: entry.dot, time: entry.time)
        }
        return Conflict(entity: entity, kind: .annotation, field: Conflict.deletedField, values: values)
    }
}

extension ArticleState {
    /// This article's fields in conflict, by field. A store keeps their count beside the
    /// article, so that whole-store commands need not read every register.
    public var conflicts: [Conflict] { ReplicaState.conflicts(in: registers, of: id, kind: .article) }
}

extension AnnotationState {
    /// This annotation's fields in conflict, by field, and a contested delete: nothing once it
    /// is deleted, since a deleted annotation's values wait for no one.
    public var conflicts: [Conflict] {
        guard presence.isAlive else { return [] }
        var found = ReplicaState.conflicts(in: registers, of: id, kind: .annotation)
        if let deleted = ReplicaState.conflict(in: presence, of: id) { found.append(deleted) }
        return found
    }
}
