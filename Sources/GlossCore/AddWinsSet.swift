/// A tag set where a concurrent add and remove keep the tag (an observed-remove set).
///
/// Each add is remembered by the dot of its change; a remove drops only the adds its change
/// covers. A tag is present while any add of it is left.
public struct AddWinsSet: Hashable, Sendable {
    /// Tag -> the dots of its surviving adds. Never holds an empty set.
    public private(set) var adds: [String: Set<Dot>]

    public init(adds: [String: Set<Dot>] = [:]) {
        self.adds = adds.filter { !$0.value.isEmpty }
    }

    public var elements: [String] { adds.keys.sorted() }

    public func contains(_ tag: String) -> Bool { adds[tag] != nil }

    public mutating func add(_ tag: String, by change: Change) {
        var dots = (adds[tag] ?? []).filter { !change.covers($0) }
        dots.insert(change.id)
        adds[tag] = dots
    }

    public mutating func remove(_ tag: String, by change: Change) {
        let dots = (adds[tag] ?? []).filter { !change.covers($0) }
        adds[tag] = dots.isEmpty ? nil : dots
    }
}
