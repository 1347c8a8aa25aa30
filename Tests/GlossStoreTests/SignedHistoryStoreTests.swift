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

/// A restored copy's recovery (GlossStore+Recovery) inside `apply`, including what it wrote under
/// its new id before its history was compared.
@Suite struct RecoveryStoreTests {
    @Test func editsMadeAfterTheReKeyAreReissuedAfterTheForkedOnesAndNothingIsLost() throws {
        let folder = try TemporaryFolder()
        let key = ReplicaKey()
        let laptop = try GlossStore.create(at: folder.file("laptop.sqlite"), name: "laptop", key: key)
        let storeID = laptop.identity.storeID
        let body = "The council met on Tuesday. It voted to close the bridge."
        let article = ArticleText.id(of: body)
        try laptop.commit(time: 1) { _ in [.createArticle(id: article, body: body)] }
        let anchor = try QuoteAnchoring.anchor(quote: "voted to close", in: body, occurrence: nil)
        let created = try laptop.commit(time: 2) { dot in
            [.createAnnotation(id: ID128.annotation(createdAt: dot, index: 0), article: article, anchor: anchor)]
        }
        let annotation = ID128.annotation(createdAt: created.id, index: 0)
        let hub = try GlossStore.create(at: folder.file("hub.sqlite"), storeID: storeID, name: "hub")
        try hub.apply(try laptop.signedChanges())
        // The copy: the same key and history, then each writes change 3 its own way.
        let copyPath = folder.file("copy.sqlite")
        let copy = try GlossStore.create(at: copyPath, storeID: storeID, name: "copy", key: key)
        try copy.apply(try laptop.signedChanges())
        try laptop.commit(time: 3) { _ in [.set(entity: annotation, field: .note, value: "the original's")] }
        try hub.apply(try laptop.signedChanges(since: try hub.clock()))
        try copy.commit(time: 3) { _ in [.set(entity: annotation, field: .note, value: "the copy's")] }

        let old = key.replicaID
        _ = try copy.beginRecovery(sharedUpTo: 2, serverHeld: 3)
        let rekeyed = try GlossStore.open(at: copyPath)
        let new = rekeyed.identity.replicaID
        #expect(try new != old && rekeyed.successions().count == 1)
        // Offline, before its history was compared: an edit under the new id, which saw change 3.
        try rekeyed.commit(time: 4) { _ in [.addTag(entity: annotation, tag: "checked")] }

        let report = try rekeyed.apply(try hub.signedChanges(since: VersionVector([old: 2])))
        #expect(report.reissued == 2 && report.applied == 1, "\(report)")
        let state = try rekeyed.state()
        let notes = Set(state.annotations[annotation]?.registers[.note]?.values.map(\.value) ?? [])
        #expect(notes == ["the original's", "the copy's"], "a conflict, nothing overwritten")
        #expect(state.annotations[annotation]?.tags.elements == ["checked"])
        #expect(try rekeyed.clock() == VersionVector([old: 3, new: 2]))
        #expect(try rekeyed.recovery()?.isComplete == true)
        // The hub takes the re-issued changes, and both hold the same state.
        try hub.apply(try rekeyed.signedChanges(since: try hub.clock()))
        #expect(try hub.digest().digest == rekeyed.digest().digest)
    }
}

/// A fork seen only from after it: the run's base differs from the chain hash held.
@Suite struct BaseForkTests {
    @Test func aRunWhoseBaseDiffersIsAFork() throws {
        var random = SplitMix64(seed: 11)
        let replicas = try RandomHistory.replicas(count: 2, steps: 60, using: &random)
        let log = replicas[0].log
        let folder = try TemporaryFolder()
        let store = try GlossStore.create(at: folder.file("store.sqlite"), name: nil)
        let storeID = store.identity.storeID
        try store.apply(TestKeys.sign(Array(log.prefix(3)), store: storeID))
        let original = log[1]
        var forkedLog = log
        forkedLog[1] = Change(
            id: original.id, dependencies: original.dependencies, time: original.time + 1, operations: original.operations)
        let later = TestKeys.sign(Array(forkedLog[3...4]), store: storeID, history: forkedLog)
        let refused = #expect(throws: GlossStoreError.self) { try store.apply(later) }
        #expect(refused?.code == .equivocation)
        #expect(try store.forks().first?.seq == 3, "the proof names the run's base (SPEC §6.7)")
    }
}
