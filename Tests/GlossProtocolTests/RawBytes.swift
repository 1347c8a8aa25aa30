import GlossCore
import GlossProtocol

/// Builds encodings by hand, field by field, so tests can write what the encoder never would.
enum RawBytes {
    static let alice = ID128(high: 0x0a, low: 0)
    static let bob = ID128(high: 0x0b, low: 0)
    static let carol = ID128(high: 0x0c, low: 0)
    static let article = ID128(high: 0xa7, low: 0x1c1e)

    static func varint(_ value: UInt64) -> [UInt8] {
        var writer = WireWriter()
        writer.writeVarint(value)
        return writer.bytes
    }

    static func string(_ value: String) -> [UInt8] {
        var writer = WireWriter()
        writer.writeString(value)
        return writer.bytes
    }

    static func operation(_ operation: Operation) -> [UInt8] {
        var writer = WireWriter()
        writer.writeOperation(operation)
        return writer.bytes
    }

    static let keep = operation(.keepAnnotation(id: article))

    /// A change with its fields written exactly as given.
    static func change(
        author: UInt64 = 0, seq: [UInt8] = [0x01], time: [UInt8] = [0x00],
        dependencies: [(index: UInt64, seq: UInt64)] = [],
        operationCount: UInt64? = nil, operations: [[UInt8]] = [keep]
    ) -> [UInt8] {
        var bytes = varint(author) + seq + time + varint(UInt64(dependencies.count))
        for dependency in dependencies { bytes += varint(dependency.index) + varint(dependency.seq) }
        bytes += varint(operationCount ?? UInt64(operations.count))
        for operation in operations { bytes += operation }
        return bytes
    }

    /// A batch: the table as given, a change count (the number of changes unless given), the changes.
    static func batch(table: [ReplicaID] = [alice], count: UInt64? = nil, _ changes: [UInt8]...) -> [UInt8] {
        varint(UInt64(table.count)) + table.flatMap(\.bytes) + varint(count ?? UInt64(changes.count))
            + changes.flatMap { $0 }
    }
}
