import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore
import GlossTestSupport
import Testing

/// An author that signs two histories (SPEC §6.7), met by two replicas over two paths.
@Suite(.onItsOwnThread) struct ForkTests {
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
        // sets the forked changes aside: neither version is applied, the rest syncs.
        let third = try GlossStore.create(at: folder.file("third.sqlite"), storeID: storeID, name: "third")
        let thirdReport = try await server.sync(SyncReplica(store: third))
        await server.stop()
        #expect(thirdReport.error == nil, "\(thirdReport)")
        #expect(try third.forks().map(\.author) == [Self.author])
        #expect(try third.clock()[Self.author] == 0, "neither branch of the forked author is taken")
        #expect(try third.clock()[TestKeys.replicaID(8)] == 1, "the rest of the store is")
        // The other branch, pushed anyway, is set aside too, with a change that saw it.
        let theirs = try #require(try laptop.change(Dot(replica: Self.author, seq: 1)))
        let onTop = Change(
            id: Dot(replica: TestKeys.replicaID(9), seq: 1), dependencies: [Self.author: 1, TestKeys.replicaID(8): 1], time: 2,
            operations: [.addTag(entity: ArticleText.id(of: article), tag: "seen")])
        let pushed = TestKeys.sign([theirs, onTop], store: storeID, history: [theirs])
        let applied = try third.apply(pushed)
        #expect(applied.setAside == 2 && applied.applied == 0, "\(applied)")
        #expect(try third.clock()[Self.author] == 0)
        // A local edit there does not claim to have seen the forked changes, so it travels.
        let local = try third.commit(time: 3) { _ in [.addTag(entity: ArticleText.id(of: article), tag: "mine")] }
        #expect(local.dependencies[Self.author] == 0)
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
