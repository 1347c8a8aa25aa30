import GlossCore

/// A self-contained list of changes: a replica table, a change count, then the changes. The
/// bundle file wraps one; the TCP protocol will carry them in its messages.
///
/// The encoding is canonical: the table lists exactly the replicas the changes name (authors and
/// dependencies), sorted; the changes keep the order they were given (pass a causal order).
/// So `encode(decode(bytes)) == bytes` for every input `decode` accepts, which is why the
/// decoder refuses a table entry no change uses (`.unusedReplica`).
///
///     var writer = WireWriter()
///     ChangeBatch.write(changes, to: &writer)
///     var reader = WireReader(writer.bytes)
///     let decoded = try ChangeBatch.read(from: &reader)   // == changes
public enum ChangeBatch {
    /// The smallest encoded batch: an empty table and a zero change count.
    public static let minimumSize = 2

    public static func write(_ changes: [Change], to writer: inout WireWriter) {
        let table = ReplicaTable(covering: changes)
        writer.writeReplicaTable(table)
        writer.writeVarint(changes.count)
        for change in changes { writer.writeChange(change, in: table) }
    }

    /// The bytes of `changes` as a batch on their own.
    public static func encoded(_ changes: [Change]) -> [UInt8] {
        var writer = WireWriter()
        write(changes, to: &writer)
        return writer.bytes
    }

    /// Reads a batch, leaving the reader just past it. Does not require the input to end there.
    public static func read(from reader: inout WireReader) throws(ProtocolError) -> [Change] {
        try readWithTable(from: &reader).changes
    }

    /// Reads a batch and the replica table its changes (and a checkpoint table after it) index.
    static func readWithTable(from reader: inout WireReader) throws(ProtocolError) -> (changes: [Change], table: ReplicaTable) {
        let tableStart = reader.offset
        let table = try reader.readReplicaTable()
        let count = try reader.readCount(of: "changes", minimumItemSize: ChangeLayout.minimumChangeSize)
        var changes: [Change] = []
        changes.reserveCapacity(count)
        for _ in 0..<count { changes.append(try reader.readChange(in: table)) }
        if table.count > 0 {
            let named = ReplicaTable(covering: changes)
            if named != table, let unused = table.replicas.firstIndex(where: { named.index(of: $0) == nil }) {
                let entryOffset = tableStart + varintLength(UInt64(table.count)) + ReplicaTable.entrySize * unused
                throw ProtocolError(
                    .unusedReplica,
                    "expected every replica in the table to be named by a change, found \(table.replicas[unused].hex) named by none",
                    at: entryOffset)
            }
        }
        return (changes, table)
    }

    private static func varintLength(_ value: UInt64) -> Int {
        var writer = WireWriter()
        writer.writeVarint(value)
        return writer.bytes.count
    }

    /// Reads bytes that hold one batch and nothing else.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> [Change] {
        var reader = WireReader(bytes)
        let changes = try read(from: &reader)
        try reader.expectEnd(after: "the last change")
        return changes
    }
}
