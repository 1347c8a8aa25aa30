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
        var found: [Conflict] = []
        for article in articles.values {
            found += Self.conflicts(in: article.registers, of: article.id, kind: .article)
        }
        for annotation in annotations.values where annotation.presence.isAlive {
            found += Self.conflicts(in: annotation.registers, of: annotation.id, kind: .annotation)
            if let deleted = Self.conflict(in: annotation.presence, of: annotation.id) { found.append(deleted) }
        }
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
