import GlossCore
import GlossProtocol
import Testing

/// One test per way a change batch can be refused, each built by hand from otherwise valid bytes.
@Suite("Change batch rejections")
struct ChangeBatchRejectionTests {
    typealias R = RawBytes

    /// Decodes `bytes` as a batch and returns the error, recording an issue if there is none.
    func rejection(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ProtocolError? {
        #expect(throws: ProtocolError.self, sourceLocation: sourceLocation) { try ChangeBatch.decode(bytes) }
    }

    @Test("the hand-built baseline is valid, so each test below fails for its one reason")
    func baseline() throws {
        let changes = try ChangeBatch.decode(R.batch(R.change()))
        #expect(
            changes == [
                Change(
                    id: Dot(replica: R.alice, seq: 1), dependencies: VersionVector(), time: 0,
                    operations: [.keepAnnotation(id: R.article)])
            ])
        let two = try ChangeBatch.decode(
            R.batch(table: [R.alice, R.bob], R.change(), R.change(author: 1, dependencies: [(0, 1)])))
        #expect(two[1].dependencies == VersionVector([R.alice: 1]))
    }

    @Test("truncated: the input ends inside a change")
    func truncated() {
        let whole = R.batch(R.change(operations: [R.operation(.addTag(entity: R.article, tag: "climate"))]))
        for length in (whole.count - 8)..<whole.count {
            #expect(rejection(Array(whole.prefix(length)))?.code == .truncated, "cut to \(length) bytes")
        }
    }

    @Test("nonCanonicalVarint: a sequence number written 81 00")
    func nonCanonicalVarint() {
        let error = rejection(R.batch(R.change(seq: [0x81, 0x00])))
        #expect(error?.code == .nonCanonicalVarint)
        #expect(error?.offset == 1 + 16 + 1 + 1)
    }

    @Test("varintOverflow: a time of 2^64")
    func varintOverflow() {
        let time: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]
        #expect(rejection(R.batch(R.change(time: time)))?.code == .varintOverflow)
    }

    @Test("invalidUTF8: a tag of bytes that are not UTF-8")
    func invalidUTF8() {
        let tag = [0x04] + R.article.bytes + [0x02, 0xc3, 0x28]
        #expect(rejection(R.batch(R.change(operations: [tag])))?.code == .invalidUTF8)
    }

    @Test("unknownOperation: kind bytes outside 0x01...0x09", arguments: [0x00, 0x0a, 0x7f, 0xff] as [UInt8])
    func unknownOperation(kind: UInt8) {
        let operation = [kind] + R.article.bytes
        let error = rejection(R.batch(R.change(operations: [operation])))
        #expect(error?.code == .unknownOperation)
        #expect(error?.message.contains("found 0x") == true)
    }

    @Test("unknownField: field bytes outside 1...7", arguments: [0, 8, 255] as [UInt8])
    func unknownField(field: UInt8) {
        let operation = [0x03] + R.article.bytes + [field] + R.string("x")
        #expect(rejection(R.batch(R.change(operations: [operation])))?.code == .unknownField)
    }

    @Test("badReplicaIndex: an author or dependency index past the table")
    func badReplicaIndex() {
        #expect(rejection(R.batch(R.change(author: 1)))?.code == .badReplicaIndex)
        #expect(rejection(R.batch(R.change(author: .max)))?.code == .badReplicaIndex)
        #expect(
            rejection(R.batch(table: [R.alice, R.bob], R.change(author: 1, dependencies: [(2, 1)])))?.code
                == .badReplicaIndex)
    }

    @Test("unsortedReplicaTable: ids out of order or repeated")
    func unsortedReplicaTable() {
        let swapped = rejection(R.batch(table: [R.bob, R.alice], R.change(), R.change(author: 1)))
        #expect(swapped?.code == .unsortedReplicaTable)
        #expect(swapped?.offset == 1 + 16)
        let repeated = rejection(R.batch(table: [R.alice, R.alice], R.change(), R.change(author: 1)))
        #expect(repeated?.code == .unsortedReplicaTable)
    }

    @Test("unsortedDependencies: indices descending or repeated")
    func unsortedDependencies() {
        let table = [R.alice, R.bob, R.carol]
        let descending = R.change(author: 2, dependencies: [(1, 1), (0, 1)])
        #expect(rejection(R.batch(table: table, descending))?.code == .unsortedDependencies)
        let repeated = R.change(author: 1, dependencies: [(0, 1), (0, 2)])
        #expect(rejection(R.batch(table: [R.alice, R.bob], repeated))?.code == .unsortedDependencies)
    }

    @Test("dependencyOnAuthor: the author's own entry is implied, never written")
    func dependencyOnAuthor() {
        let change = R.change(author: 1, seq: [0x02], dependencies: [(0, 1), (1, 1)])
        #expect(rejection(R.batch(table: [R.alice, R.bob], change))?.code == .dependencyOnAuthor)
    }

    @Test("zeroSequence: in a change or in a dependency")
    func zeroSequence() {
        #expect(rejection(R.batch(R.change(seq: [0x00])))?.code == .zeroSequence)
        let dependency = R.change(author: 1, dependencies: [(0, 0)])
        #expect(rejection(R.batch(table: [R.alice, R.bob], dependency))?.code == .zeroSequence)
    }

    @Test("emptyChange: an operation count of 0")
    func emptyChange() {
        // Padding keeps the change count plausible, so the operation count is what fails.
        let change = R.change(operations: []) + [UInt8](repeating: 0, count: 20)
        #expect(rejection(R.batch(change))?.code == .emptyChange)
    }

    @Test("countTooLarge: table, change, dependency and operation counts past the bytes left")
    func countTooLarge() {
        #expect(rejection(R.varint(1_000) + R.alice.bytes)?.code == .countTooLarge)
        #expect(rejection(R.batch(count: 2, R.change()))?.code == .countTooLarge)
        #expect(rejection(R.batch(count: .max, R.change()))?.code == .countTooLarge)
        let dependencies = R.varint(0) + [0x01, 0x00] + R.varint(1 << 40)
        #expect(rejection(R.batch(dependencies + [UInt8](repeating: 0, count: 20)))?.code == .countTooLarge)
        #expect(rejection(R.batch(R.change(operationCount: 2)))?.code == .countTooLarge)
    }

    @Test("unusedReplica: a table entry no change names")
    func unusedReplica() {
        let error = rejection(R.batch(table: [R.alice, R.bob], R.change()))
        #expect(error?.code == .unusedReplica)
        #expect(error?.offset == 1 + 16)
        #expect(rejection(R.batch(table: [R.alice]))?.code == .unusedReplica)
    }

    @Test("trailingBytes: anything after the last change")
    func trailingBytes() {
        let error = rejection(R.batch(R.change()) + [0x00])
        #expect(error?.code == .trailingBytes)
        #expect(error?.offset == R.batch(R.change()).count)
    }
}
