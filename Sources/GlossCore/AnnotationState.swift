/// The merged state of one annotation: fixed article and anchor, register fields, tags, and
/// whether it exists.
public struct AnnotationState: Hashable, Sendable {
    public let id: EntityID
    public let article: EntityID
    public let anchor: Anchor
    public var registers: [Field: MultiValueRegister]
    public var tags: AddWinsSet
    public var presence: PresenceRegister

    public init(
        id: EntityID, article: EntityID, anchor: Anchor,
        registers: [Field: MultiValueRegister] = [:], tags: AddWinsSet = AddWinsSet(),
        presence: PresenceRegister = PresenceRegister()
    ) {
        self.id = id
        self.article = article
        self.anchor = anchor
        self.registers = registers
        self.tags = tags
        self.presence = presence
    }
}

extension AnnotationState {
    public func value(of field: Field) -> String? { registers[field]?.winner?.value }
}
