/// Who wrote what an entity holds now, and what each write replaced: `gloss blame`.
///
/// Computed from the entity's history alone (the changes whose operations name it, in causal
/// order) and its merged state, so every replica holding the same changes says the same.
public enum Blame {
    /// One live value of a field, the change that wrote it, and the values that change had seen
    /// live in that field and so superseded (none for the first write; several when it settled
    /// a conflict).
    public struct Value: Hashable, Sendable {
        public let value: RegisterValue
        public let replaced: [RegisterValue]
    }

    public struct Field: Hashable, Sendable {
        public let field: GlossCore.Field
        public let values: [Value]
    }

    /// A tag held now and the changes whose adds keep it (concurrent adds all count).
    public struct Tag: Hashable, Sendable {
        public let tag: String
        public let addedBy: [Added]
    }

    public struct Added: Hashable, Sendable {
        public let dot: Dot
        /// The adding change's time, or 0 when `history` lacks it.
        public let time: UInt64
    }

    /// The blame of every field `registers` holds a value in, in field order, and of every tag.
    /// `history` holds at least the changes that wrote them and what those changes had seen.
    public static func of(
        _ entity: EntityID, registers: [GlossCore.Field: MultiValueRegister], tags: AddWinsSet, history: [Change]
    ) -> (fields: [Field], tags: [Tag]) {
        let byDot = Dictionary(history.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let fields = registers.keys.sorted().compactMap { field -> Field? in
            guard let register = registers[field], !register.values.isEmpty else { return nil }
            let values = register.values.map { value in
                Value(value: value, replaced: byDot[value.dot].map { replaced(field, of: entity, by: $0, history: history) } ?? [])
            }
            return Field(field: field, values: values)
        }
        let tagBlame = tags.elements.map { tag in
            Tag(
                tag: tag,
                addedBy: (tags.adds[ExactText(tag)] ?? []).sorted().map { dot in Added(dot: dot, time: byDot[dot]?.time ?? 0) })
        }
        return (fields, tagBlame)
    }

    /// The values of `field` live just before `writer`, as far as it had seen: the writes in
    /// its causal past, merged by the register's own rule.
    static func replaced(_ field: GlossCore.Field, of entity: EntityID, by writer: Change, history: [Change]) -> [RegisterValue] {
        var register = MultiValueRegister()
        for change in history where writer.covers(change.id) {
            for operation in change.operations {
                if case .set(entity, field, let value) = operation { register.apply(write: value, by: change) }
            }
        }
        return register.values
    }
}
