/// The replicas a list of changes names, sorted by id, so each change can name a replica by a
/// small index instead of 16 bytes.
///
/// On the wire: a varint count, then that many 16-byte ids in strictly ascending byte order.
/// The order makes the table canonical (one table per set of replicas) and lets the reader
/// refuse duplicates by comparing neighbours.
///
///     let table = ReplicaTable(covering: changes)
///     table.index(of: change.id.replica)   // 0 for the lowest replica id
///     table[0]                             // that replica
public struct ReplicaTable: Hashable, Sendable {
    /// The smallest encoded table entry: one id.
    public static let entrySize = 16

    /// Strictly ascending.
    public let replicas: [ReplicaID]
    private let indices: [ReplicaID: Int]

    /// Every replica the changes name: their authors and the replicas of their dependencies.
    public init(covering changes: some Sequence<Change>) {
        var named: Set<ReplicaID> = []
        for change in changes {
            named.insert(change.id.replica)
            named.formUnion(change.dependencies.entries.keys)
        }
        self.init(ascending: named.sorted())
    }

    /// A table of replicas already known to be strictly ascending (a reader checks that first).
    public init(ascending replicas: [ReplicaID]) {
        self.replicas = replicas
        indices = Dictionary(uniqueKeysWithValues: replicas.enumerated().map { ($0.element, $0.offset) })
    }

    public var count: Int { replicas.count }

    /// The replica at `index`, or nil when the table is shorter.
    public subscript(index: Int) -> ReplicaID? {
        replicas.indices.contains(index) ? replicas[index] : nil
    }

    /// The index of `replica`, or nil when the table does not list it.
    public func index(of replica: ReplicaID) -> Int? { indices[replica] }

    public static func == (lhs: ReplicaTable, rhs: ReplicaTable) -> Bool { lhs.replicas == rhs.replicas }

    public func hash(into hasher: inout Hasher) { hasher.combine(replicas) }
}

extension WireWriter {
    public mutating func writeReplicaTable(_ table: ReplicaTable) {
        writeVarint(table.count)
        for replica in table.replicas { writeID(replica) }
    }
}
