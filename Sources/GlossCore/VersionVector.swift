/// How many changes of each replica a state holds: replica -> highest sequence number.
///
/// Missing entries read as 0. Vectors form a partial order: `compare` answers before, after,
/// equal or concurrent, and `merging` is the per-entry maximum (the least upper bound).
///
///     var clock = VersionVector()
///     clock[a] = 3
///     clock.contains(Dot(replica: a, seq: 2))  // true
public struct VersionVector: Hashable, Sendable {
    public enum Ordering: Sendable, Equatable {
        case before, after, equal, concurrent
    }

    /// Never holds a zero entry, so equal vectors are equal values.
    public private(set) var entries: [ReplicaID: UInt64]

    public init(_ entries: [ReplicaID: UInt64] = [:]) {
        self.entries = entries.filter { $0.value > 0 }
    }

    public subscript(replica: ReplicaID) -> UInt64 {
        get { entries[replica] ?? 0 }
        set { entries[replica] = newValue == 0 ? nil : newValue }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Entries sorted by replica id: the canonical order for encoding and display.
    public var sortedEntries: [(replica: ReplicaID, seq: UInt64)] {
        entries.sorted { $0.key < $1.key }.map { (replica: $0.key, seq: $0.value) }
    }

    /// The number of changes the vector counts, summed over replicas; saturates at
    /// `UInt64.max` rather than trapping on a peer's absurd claim.
    public var total: UInt64 {
        entries.values.reduce(0) { sum, seq in
            let (result, overflow) = sum.addingReportingOverflow(seq)
            return overflow ? .max : result
        }
    }

    /// How many changes `other` counts that this vector does not: what a replica holding this
    /// lacks of one holding `other`. Saturates at `UInt64.max`, as `total` does.
    public func missing(from other: VersionVector) -> UInt64 {
        other.entries.reduce(0) { sum, entry in
            let (result, overflow) = sum.addingReportingOverflow(entry.value - min(entry.value, self[entry.key]))
            return overflow ? .max : result
        }
    }

    public func contains(_ dot: Dot) -> Bool { self[dot.replica] >= dot.seq }

    public func merging(_ other: VersionVector) -> VersionVector {
        VersionVector(entries.merging(other.entries, uniquingKeysWith: max))
    }

    public func compare(_ other: VersionVector) -> Ordering {
        var someLess = false
        var someGreater = false
        for replica in Set(entries.keys).union(other.entries.keys) {
            let mine = self[replica]
            let theirs = other[replica]
            if mine < theirs { someLess = true }
            if mine > theirs { someGreater = true }
        }
        switch (someLess, someGreater) {
        case (false, false): return .equal
        case (true, false): return .before
        case (false, true): return .after
        case (true, true): return .concurrent
        }
    }

    /// True when this vector has seen everything `other` has.
    public func dominates(_ other: VersionVector) -> Bool {
        let ordering = compare(other)
        return ordering == .after || ordering == .equal
    }
}

extension VersionVector: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (ReplicaID, UInt64)...) {
        self.init(Dictionary(elements, uniquingKeysWith: max))
    }
}
