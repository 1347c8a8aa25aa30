/// One atomic edit: the operations a single command wrote, named by a dot, with the causal
/// context its author had when writing it.
///
/// `dependencies` is the author's version vector just before the change, without the author's
/// own entry (that is always `id.seq - 1`). It decides everything causal: a value with dot `d` is
/// superseded by this change exactly when `covers(d)`. `time` is wall-clock milliseconds since
/// 1970, kept for display only: no merge rule reads it.
public struct Change: Hashable, Sendable {
    public let id: Dot
    public let dependencies: VersionVector
    public let time: UInt64
    public let operations: [Operation]

    public init(id: Dot, dependencies: VersionVector, time: UInt64, operations: [Operation]) {
        var dependencies = dependencies
        dependencies[id.replica] = 0
        self.id = id
        self.dependencies = dependencies
        self.time = time
        self.operations = operations
    }

    /// The full causal context: what the author had seen, including its own earlier changes.
    public var context: VersionVector {
        var context = dependencies
        context[id.replica] = id.seq > 0 ? id.seq - 1 : 0
        return context
    }

    /// True when the author had seen `dot` when it wrote this change.
    public func covers(_ dot: Dot) -> Bool {
        dot.replica == id.replica ? dot.seq < id.seq : dependencies.contains(dot)
    }

    /// A Lamport-like rank: every change that saw another has a strictly larger rank. Siblings
    /// are ordered by it (then by replica id) to pick the same provisional winner everywhere.
    public var rank: UInt64 {
        let (rank, overflow) = dependencies.total.addingReportingOverflow(id.seq)
        return overflow ? .max : rank
    }

    /// True when a state with version vector `clock` can apply this change now: it is the next
    /// change of its author, and everything its author had seen is there.
    public func isReady(for clock: VersionVector) -> Bool {
        id.seq >= 1 && clock[id.replica] == id.seq - 1 && clock.dominates(dependencies)
    }
}
