import GlossCore

extension WireReader {
    /// Reads a replica table, refusing ids that are not strictly ascending
    /// (`.unsortedReplicaTable`) and counts the bytes left cannot hold (`.countTooLarge`).
    public mutating func readReplicaTable() throws(ProtocolError) -> ReplicaTable {
        let count = try readCount(of: "replica ids", minimumItemSize: ReplicaTable.entrySize)
        var replicas: [ReplicaID] = []
        replicas.reserveCapacity(count)
        for position in 0..<count {
            let start = offset
            let replica = try readID("replica id \(position)")
            if let previous = replicas.last, !(previous < replica) {
                throw ProtocolError(
                    .unsortedReplicaTable,
                    "expected replica id \(position) to sort after \(previous.hex), found \(replica.hex)",
                    at: start)
            }
            replicas.append(replica)
        }
        return ReplicaTable(ascending: replicas)
    }
}
