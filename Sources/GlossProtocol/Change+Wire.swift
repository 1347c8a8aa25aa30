import GlossCore

/// Sizes that bound counts before anything is allocated for them.
enum ChangeLayout {
    /// author, seq, time, dependency count and operation count (1 byte each at least), plus
    /// one operation.
    static let minimumChangeSize = 5 + OperationKind.minimumOperationSize
    /// A replica index and a sequence number, 1 byte each at least.
    static let minimumDependencySize = 2
}

extension WireReader {
    /// Reads one change whose replicas are named by index in `table`.
    ///
    /// Checks the encoding rules only: indices inside the table (`.badReplicaIndex`), sequence
    /// numbers from 1 (`.zeroSequence`), dependencies strictly ascending (`.unsortedDependencies`)
    /// and never the author (`.dependencyOnAuthor`), at least one operation (`.emptyChange`).
    /// Model rules and causal readiness are the store's to check.
    public mutating func readChange(in table: ReplicaTable) throws(ProtocolError) -> Change {
        let authorIndex = try readIndex(of: "the author's replica", below: table.count)
        let author = table[authorIndex]!
        let seq = try readSequence("the change's sequence number")
        let time = try readVarint("the change's time")
        let dependencyCount = try readCount(
            of: "dependencies", minimumItemSize: ChangeLayout.minimumDependencySize)
        var dependencies: [ReplicaID: UInt64] = [:]
        dependencies.reserveCapacity(dependencyCount)
        var previousIndex: Int?
        for _ in 0..<dependencyCount {
            let start = offset
            let index = try readIndex(of: "a dependency's replica", below: table.count)
            if index == authorIndex {
                throw ProtocolError(
                    .dependencyOnAuthor,
                    "expected dependencies on replicas other than the author \(author.hex), found the author itself",
                    at: start)
            }
            if let previousIndex, index <= previousIndex {
                throw ProtocolError(
                    .unsortedDependencies,
                    "expected a dependency replica index above \(previousIndex), found \(index)", at: start)
            }
            previousIndex = index
            dependencies[table[index]!] = try readSequence("a dependency's sequence number")
        }
        let countStart = offset
        let operationCount = try readCount(
            of: "operations", minimumItemSize: OperationKind.minimumOperationSize)
        guard operationCount >= 1 else {
            throw ProtocolError(
                .emptyChange, "expected change \(author.hex):\(seq) to have at least one operation, found 0",
                at: countStart)
        }
        var operations: [Operation] = []
        operations.reserveCapacity(operationCount)
        for _ in 0..<operationCount { operations.append(try readOperation()) }
        return Change(
            id: Dot(replica: author, seq: seq), dependencies: VersionVector(dependencies),
            time: time, operations: operations)
    }

    private mutating func readSequence(_ what: String) throws(ProtocolError) -> UInt64 {
        let start = offset
        let seq = try readVarint(what)
        guard seq >= 1 else {
            throw ProtocolError(.zeroSequence, "expected \(what) of at least 1, found 0", at: start)
        }
        return seq
    }
}
