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

extension ArticleState {
    /// The value shown for a field: the register's provisional winner, or nil if never written.
    public func value(of field: Field) -> String? { registers[field]?.winner?.value }

    /// Hidden from lists: the shown value of `archived` is not empty.
    public var isArchived: Bool { value(of: .archived)?.isEmpty == false }
}
