/// A tag set where a concurrent add and remove keep the tag (an observed-remove set).
///
/// Each add is remembered by the dot of its change; a remove drops only the adds its change
/// covers. A tag is present while any add of it is left. Tags are compared by their bytes
/// (`ExactText`), never by Unicode equivalence.
public struct AddWinsSet: Hashable, Sendable {
    /// Tag -> the dots of its surviving adds. Never holds an empty set.
    public private(set) var adds: [ExactText: Set<Dot>]

    public init(adds: [ExactText: Set<Dot>] = [:]) {
        self.adds = adds.filter { !$0.value.isEmpty }
    }

    /// The tags present, in byte order.
    public var elements: [String] { adds.keys.sorted().map(\.string) }

    public func contains(_ tag: String) -> Bool { adds[ExactText(tag)] != nil }

    public mutating func add(_ tag: String, by change: Change) {
        var dots = (adds[ExactText(tag)] ?? []).filter { !change.covers($0) }
        dots.insert(change.id)
        adds[ExactText(tag)] = dots
    }

    public mutating func remove(_ tag: String, by change: Change) {
        let dots = (adds[ExactText(tag)] ?? []).filter { !change.covers($0) }
        adds[ExactText(tag)] = dots.isEmpty ? nil : dots
    }
}
