import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore
import GlossTestSupport
import Testing

/// An author that signs two histories (SPEC §6.7), met by two replicas over two paths.
@Suite struct ForkTests {
    static let author = TestKeys.replicaID(7)

    /// Change 1 of the forking author, one of two versions.
    static func version(_ title: String, of article: EntityID) -> Change {
        Change(
            id: Dot(replica: author, seq: 1), dependencies: VersionVector(), time: 1,
            operations: [.set(entity: article, field: .title, value: title)])
    }

    /// A store holding an article, then one version of the forking author's change 1.
    static func store(_ path: String, storeID: StoreID, article: String, version title: String) throws -> GlossStore {
        let store = try GlossStore.create(at: path, storeID: storeID, name: (path as NSString).lastPathComponent)
        let base = Change(
            id: Dot(replica: TestKeys.replicaID(8), seq: 1), dependencies: VersionVector(), time: 1,
            operations: [.createArticle(id: ArticleText.id(of: article), body: article)])
        try store.apply(TestKeys.sign([base], store: storeID))
        var second = version(title, of: ArticleText.id(of: article))
        second = Change(id: second.id, dependencies: [TestKeys.replicaID(8): 1], time: 1, operations: second.operations)
        try store.apply(TestKeys.sign([second], store: storeID))
        return store
    }

    @Test func aForkMetOverTwoPathsIsProvenOnBothSidesAndPassedOn() async throws {
        let folder = try TemporaryFolder()
        let storeID = ID128(high: 0xF0, low: 0x4C)
        let article = "An article both paths hold."
        let hubStore = try Self.store(folder.file("hub.sqlite"), storeID: storeID, article: article, version: "one title")
        let laptop = try Self.store(folder.file("laptop.sqlite"), storeID: storeID, article: article, version: "another title")
        let server = try await TestServer(store: hubStore)

        // Equal clocks, different histories: each side proves the fork from the other's HELLO.
        let report = try await server.sync(SyncReplica(store: laptop))
        #expect(report.outcome?.diverged == true && report.forkedAuthors == [Self.author], "\(report)")
        #expect(try laptop.forks().map(\.author) == [Self.author])
        #expect(try hubStore.forks().map(\.author) == [Self.author])
        #expect(await server.log.eventually { $0.contains("forked its history") }, "\(server.log.all)")
        let proof = try ForkEvidence.decode(try #require(try hubStore.forks().first).evidence)
        try proof.verify(store: storeID)

        // A third replica, which never saw the author, learns the proof from the hub's HELLO and
        // is not sent either version.
        let third = try GlossStore.create(at: folder.file("third.sqlite"), storeID: storeID, name: "third")
        _ = try await server.sync(SyncReplica(store: third))
        await server.stop()
        #expect(try third.forks().map(\.author) == [Self.author])
        #expect(try third.clock()[Self.author] == 0, "the forked author's changes are not passed on")
        // Nor sent by the laptop, and refused when they come anyway.
        #expect(try laptop.signedChanges().changes.allSatisfy { $0.id.replica != Self.author })
        let theirs = try #require(try laptop.change(Dot(replica: Self.author, seq: 1)))
        let base = try #require(try laptop.changes().first { $0.id.replica == TestKeys.replicaID(8) })
        let pushed = TestKeys.sign([base, theirs], store: storeID)
        let refused = #expect(throws: GlossStoreError.self) { try third.apply(pushed) }
        #expect(refused?.code == .equivocation && refused?.message.contains("forked its history") == true)
    }

    @Test func forkEvidenceVerifiesOnlyWhenItShowsTwoSignedHistories() throws {
        let store = ID128(high: 1, low: 1)
        let key = TestKeys.key(7)
        let article = ArticleText.id(of: "Body.")
        func head(_ title: String) -> SignedHistory {
            let chain = ChainHash.zero.extended(with: Self.version(title, of: article))
            let signature = Array(try! key.signature(for: Checkpoint.message(store: store, author: Self.author, seq: 1, chain: chain)))
            return SignedHistory(base: 1, baseChain: chain, changes: [], signature: signature)
        }
        let authorKey = AuthorKey(bytes: key.publicKey.rawRepresentation)!
        let proof = ForkEvidence(key: authorKey, seq: 1, first: head("one"), second: head("two"))
        try proof.verify(store: store)
        #expect(throws: GlossCoreError.self) {
            try ForkEvidence(key: authorKey, seq: 1, first: head("one"), second: head("one")).verify(store: store)
        }
        #expect(throws: GlossCoreError.self) { try proof.verify(store: ID128(high: 2, low: 2)) }
        var forged = proof
        forged.second.baseChain = ChainHash(bytes: [UInt8](repeating: 9, count: 32))!
        #expect(throws: GlossCoreError.self) { try forged.verify(store: store) }
        // As a stretch of changes from before the fork, signed at its end.
        let stretch = SignedHistory(
            base: 0, baseChain: .zero, changes: [Self.version("one", of: article)], signature: head("one").signature)
        try ForkEvidence(key: authorKey, seq: 1, first: stretch, second: head("two")).verify(store: store)
        #expect(try ForkEvidence.decode(proof.encoded) == proof)
    }
}
