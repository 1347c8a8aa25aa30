import Foundation
import GRDB
import GlossCore
import GlossStore
import GlossTestSupport
import Testing

/// Signatures checked on the way in, whatever the way (SPEC §6.6).
@Suite struct SignedHistoryStoreTests {
    /// A relay (a hub) whose store file was edited, by someone with access to the disk, after it
    /// received a note: what it forwards no longer matches the author's signature.
    @Test func aChangeAlteredInARelaysStoreFileIsRefusedDownstream() throws {
        let folder = try TemporaryFolder()
        let laptop = try GlossStore.create(at: folder.file("laptop.sqlite"), name: "laptop")
        let hub = try GlossStore.create(at: folder.file("hub.sqlite"), storeID: laptop.identity.storeID, name: "hub")
        let body = "The minister said the bridge would reopen in May."
        let article = ArticleText.id(of: body)
        try laptop.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        try laptop.commit(time: 2) { _ in [.set(entity: article, field: .title, value: "Bridge to reopen in May")] }
        try hub.apply(try laptop.signedChanges())

        // Someone edits the hub's file: the title now says June.
        let file = try DatabaseQueue(path: folder.file("hub.sqlite"))
        try file.write { db in
            try db.execute(sql: "UPDATE operation SET value = 'Bridge to reopen in June' WHERE kind = 'set'")
            #expect(db.changesCount == 1)
        }
        try file.close()

        let reader = try GlossStore.create(at: folder.file("reader.sqlite"), storeID: laptop.identity.storeID, name: "reader")
        let forwarded = try GlossStore.open(at: folder.file("hub.sqlite")).signedChanges()
        #expect(
            forwarded.changes.contains { $0.operations.contains(.set(entity: article, field: .title, value: "Bridge to reopen in June")) })
        let refused = #expect(throws: GlossStoreError.self) { try reader.apply(forwarded) }
        #expect(refused?.code == .badSignature, "\(String(describing: refused))")
        #expect(try reader.clock().total == 0, "nothing applied")
    }

    /// A change written under another author's id is refused whatever key signs it.
    @Test func aChangeUnderAnotherAuthorsIDIsRefused() throws {
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("s.sqlite"), name: "s")
        let body = "Text."
        let change = Change(
            id: Dot(replica: TestKeys.replicaID(1), seq: 1), dependencies: VersionVector(), time: 1,
            operations: [.createArticle(id: ArticleText.id(of: body), body: body)])
        let honest = TestKeys.sign([change], store: store.identity.storeID)
        let impostor = TestKeys.sign(
            [Change(id: Dot(replica: TestKeys.replicaID(2), seq: 1), dependencies: [:], time: 1, operations: change.operations)],
            store: store.identity.storeID)
        var forged = honest
        forged.runs[0].key = impostor.runs[0].key  // replica 2's key, replica 1's id
        forged.runs[0].checkpoints = impostor.runs[0].checkpoints
        #expect(throws: GlossStoreError.self) { try store.apply(forged) }
        // Signed for another store: refused too (the store id is in what is signed).
        let otherStore = TestKeys.sign([change], store: ID128(high: 5, low: 5))
        let replayed = #expect(throws: GlossStoreError.self) { try store.apply(otherStore) }
        #expect(replayed?.code == .badSignature)
        #expect(try store.apply(honest).applied == 1)
    }
}
