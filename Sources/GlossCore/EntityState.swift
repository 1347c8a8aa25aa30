/// The merged state of one article: its fixed body, its register fields and its tags.
public struct ArticleState: Hashable, Sendable {
    public let id: EntityID
    public let body: String
    public var registers: [Field: MultiValueRegister]
    public var tags: AddWinsSet

    public init(id: EntityID, body: String, registers: [Field: MultiValueRegister] = [:], tags: AddWinsSet = AddWinsSet()) {
        self.id = id
        self.body = body
        self.registers = registers
        self.tags = tags
    }
}

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

extension ArticleState {
    /// The value shown for a field: the register's provisional winner, or nil if never written.
    public func value(of field: Field) -> String? { registers[field]?.winner?.value }
}

extension AnnotationState {
    public func value(of field: Field) -> String? { registers[field]?.winner?.value }
}
