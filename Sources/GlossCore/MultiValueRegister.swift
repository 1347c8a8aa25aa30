/// A field's value, as a multi-value register: every write that no later write has seen stays.
///
/// A write supersedes exactly the values its change covers. Writes that did not see each other
/// are siblings, all kept; the field is then in conflict until someone writes a value that has
/// seen them all. `winner` is the provisional value every replica shows meanwhile.
///
///     var register = MultiValueRegister()
///     register.apply(write: "a", by: changeFromA)
///     register.apply(write: "b", by: concurrentChangeFromB)
///     register.isInConflict  // true
public struct MultiValueRegister: Hashable, Sendable {
    /// Live values, kept sorted by dot so equal registers are equal values.
    public private(set) var values: [RegisterValue]

    public init(values: [RegisterValue] = []) {
        self.values = values.sorted { $0.dot < $1.dot }
    }

    public mutating func apply(write value: String, by change: Change) {
        values.write(RegisterValue(dot: change.id, value: value, time: change.time, rank: change.rank), by: change)
    }

    /// The provisional winner: highest rank, then highest replica id. Never wall-clock time.
    public var winner: RegisterValue? {
        values.max { ($0.rank, $0.dot.replica) < ($1.rank, $1.dot.replica) }
    }

    /// Two or more different values are live. Equal values from concurrent writes agree, so
    /// they are no conflict.
    public var isInConflict: Bool {
        Set(values.map { ExactText($0.value) }).count > 1
    }
}

/// One live value of a register, with the dot of the change that wrote it.
public struct RegisterValue: Hashable, Sendable, DotNamed {
    public let dot: Dot
    public let value: String
    /// Wall-clock milliseconds of the writing change, for display only.
    public let time: UInt64
    /// `Change.rank` of the writing change.
    public let rank: UInt64

    public init(dot: Dot, value: String, time: UInt64, rank: UInt64) {
        self.dot = dot
        self.value = value
        self.time = time
        self.rank = rank
    }
}
