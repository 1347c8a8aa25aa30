extension WireWriter {
    /// Writes one change, naming replicas by their index in `table`:
    ///
    ///     author index, seq, time, dependency count, (replica index, seq)..., operation count, operations
    ///
    /// Dependencies go in ascending index order, which is ascending replica id order because the
    /// table is sorted. The change must name only replicas in `table`, have a sequence number
    /// from 1 and at least one operation (as `Change.validateShape()` requires); anything else
    /// is a programming error and traps, because it could not be read back.
    public mutating func writeChange(_ change: Change, in table: ReplicaTable) {
        precondition(change.id.seq >= 1, "change \(change.id) has sequence number 0")
        precondition(!change.operations.isEmpty, "change \(change.id) has no operations")
        writeVarint(Self.index(of: change.id.replica, in: table))
        writeVarint(change.id.seq)
        writeVarint(change.time)
        let dependencies = change.dependencies.sortedEntries
        writeVarint(dependencies.count)
        for dependency in dependencies {
            writeVarint(Self.index(of: dependency.replica, in: table))
            writeVarint(dependency.seq)
        }
        writeVarint(change.operations.count)
        for operation in change.operations { writeOperation(operation) }
    }

    private static func index(of replica: ReplicaID, in table: ReplicaTable) -> Int {
        guard let index = table.index(of: replica) else {
            preconditionFailure("replica \(replica.hex) is missing from the replica table")
        }
        return index
    }
}

extension Change {
    /// The change encoded as a batch of its own (SPEC §6.1): a replica table of exactly the
    /// replicas it names, a count of 1, the change. The encoding is canonical, so these bytes are
    /// the change's identity: equal bytes, equal change. Author signatures cover them through
    /// the chain hash (`ChainHash.extended(with:)`).
    public var canonicalBytes: [UInt8] {
        let table = ReplicaTable(covering: CollectionOfOne(self))
        var writer = WireWriter()
        writer.writeReplicaTable(table)
        writer.writeVarint(1)
        writer.writeChange(self, in: table)
        return writer.bytes
    }
}

extension ForkEvidence {
    /// The evidence's canonical bytes (SPEC §6.7):
    ///
    ///     key 32 bytes, seq varint, then for each of the two histories:
    ///     base varint, base chain 32 bytes, its changes as a change batch (§6.1), signature 64 bytes
    public var encoded: [UInt8] {
        var writer = WireWriter()
        writer.writeBytes(key.bytes)
        writer.writeVarint(seq)
        for history in [first, second] {
            writer.writeVarint(history.base)
            writer.writeBytes(history.baseChain.bytes)
            let table = ReplicaTable(covering: history.changes)
            writer.writeReplicaTable(table)
            writer.writeVarint(history.changes.count)
            for change in history.changes { writer.writeChange(change, in: table) }
            writer.writeBytes(history.signature)
        }
        return writer.bytes
    }
}
