import GlossCore
import Testing

/// Hostile sequence numbers reach signature checks before anything else: they must be refused,
/// never trap (found by review: both were overflow traps).
@Suite struct SignatureOverflowTests {
    static let author = ID128.derived(fromPublicKey: [UInt8](repeating: 7, count: 32))
    static let key = AuthorKey(bytes: [UInt8](repeating: 7, count: 32))!
    static let article = ArticleText.id(of: "Text.")

    static func change(_ seq: UInt64) -> Change {
        Change(id: Dot(replica: author, seq: seq), dependencies: [:], time: 1, operations: [.addTag(entity: article, tag: "t")])
    }

    @Test func twoChangesAtTheLargestSeqAreNotOneRun() {
        let batch = SignedBatch(
            changes: [Self.change(.max), Self.change(.max)],
            runs: [SignedRun(author: Self.author, key: Self.key, base: .zero, checkpoints: [Checkpoint(seq: .max, signature: [])])])
        let error = #expect(throws: GlossCoreError.self) { try batch.verify(store: ID128(high: 1, low: 1)) }
        #expect(error?.code == .unsignedChange)
    }

    @Test func aForkHistoryPastTheLargestSeqIsRefused() {
        let history = SignedHistory(base: .max, baseChain: .zero, changes: [Self.change(1)], signature: [])
        let head = SignedHistory(base: .max, baseChain: .zero, changes: [], signature: [])
        let evidence = ForkEvidence(key: Self.key, seq: .max, first: history, second: head)
        #expect(history.end == nil)
        #expect(throws: GlossCoreError.self) { try evidence.verify(store: ID128(high: 1, low: 1)) }
    }
}
