import GlossCore
import GlossProtocol
import Testing

@Suite("Round trips")
struct RoundTripTests {
    /// Fixed seeds so CI is reproducible; a failure names its seed, and adding the seed here
    /// replays it.
    static let seeds: [UInt64] = Array(1...200) + [0xdead_beef, 0x5eed_5eed_5eed_5eed]

    @Test(
        "a batch of random changes decodes to the same changes and re-encodes to the same bytes",
        arguments: seeds)
    func batch(seed: UInt64) throws {
        var random = RandomChanges(seed: seed)
        let changes = random.changes()
        let bytes = ChangeBatch.encoded(changes)
        let decoded = try ChangeBatch.decode(bytes)
        #expect(decoded == changes, "seed \(seed)")
        #expect(ChangeBatch.encoded(decoded) == bytes, "seed \(seed)")
        // Strings come back byte for byte, not merely canonically equivalent.
        #expect(decoded.map(Self.utf8Fingerprint) == changes.map(Self.utf8Fingerprint), "seed \(seed)")
    }

    @Test("a bundle of random changes round-trips", arguments: seeds.prefix(50))
    func bundle(seed: UInt64) throws {
        var random = RandomChanges(seed: seed)
        let bundle = ChangeBundle(storeID: random.id(), changes: random.changes())
        let bytes = bundle.encoded()
        let decoded = try ChangeBundle(decoding: bytes)
        #expect(decoded == bundle, "seed \(seed)")
        #expect(decoded.encoded() == bytes, "seed \(seed)")
    }

    @Test("the table lists exactly the replicas named, ascending, and changes keep their order")
    func tableAndOrder() throws {
        let (a, b, c) = (RawBytes.alice, RawBytes.bob, RawBytes.carol)
        let changes = [
            Change(
                id: Dot(replica: c, seq: 1), dependencies: VersionVector(), time: 5,
                operations: [.keepAnnotation(id: RawBytes.article)]),
            Change(
                id: Dot(replica: b, seq: 1), dependencies: VersionVector([a: 3]), time: 6,
                operations: [.deleteAnnotation(id: RawBytes.article)]),
        ]
        #expect(ReplicaTable(covering: changes).replicas == [a, b, c])
        let bytes = ChangeBatch.encoded(changes)
        #expect(Array(bytes.prefix(1 + 48)) == [0x03] + a.bytes + b.bytes + c.bytes)
        #expect(try ChangeBatch.decode(bytes) == changes)
    }

    /// Mutated encodings either fail with a `ProtocolError` or decode to something that
    /// re-encodes to exactly the mutated bytes: there is never a second encoding of a value.
    @Test("mutated batches are refused or canonical", arguments: seeds.prefix(60))
    func mutations(seed: UInt64) {
        var random = RandomChanges(seed: seed)
        let original = ChangeBatch.encoded(random.changes())
        var generator = SeededGenerator(seed: seed ^ 0x6d75_7461_7465)
        var accepted = 0
        for round in 0..<200 {
            var bytes = original
            switch Int.random(in: 0..<3, using: &generator) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 1 where !bytes.isEmpty:
                bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator))
            default:
                bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
            }
            do {
                let decoded = try ChangeBatch.decode(bytes)
                accepted += 1
                #expect(ChangeBatch.encoded(decoded) == bytes, "seed \(seed), round \(round)")
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count, "seed \(seed), round \(round)")
            }
        }
        // Most changes carry ids and strings where any byte will do: some mutants must pass,
        // or this test checks nothing.
        #expect(accepted > 0 || original.count < 40, "seed \(seed): no mutant decoded")
    }

    /// Every string in a change as bytes, since `String ==` ignores Unicode normalization.
    static func utf8Fingerprint(_ change: Change) -> [[UInt8]] {
        change.operations.flatMap { operation -> [String] in
            switch operation {
            case .createArticle(_, let body): [body]
            case .addRevision(_, _, let note, let body): [note, body]
            case .createAnnotation(_, _, let anchor): [anchor.exact, anchor.prefix, anchor.suffix]
            case .set(_, _, let value): [value]
            case .addTag(_, let tag), .removeTag(_, let tag): [tag]
            case .deleteAnnotation, .keepAnnotation: []
            }
        }.map { Array($0.utf8) }
    }
}
