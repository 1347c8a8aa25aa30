import Foundation
import GlossCore
import GlossStore
import Testing

/// A store written by schema v1 (Fixtures/store-v1.fixture, made with the gloss CLI: one
/// article, one annotation whose note two replicas edited concurrently) must keep opening and
/// reading the same. When a migration is added, this file is what it upgrades.
@Suite struct UpgradeFixtureTests {
    static var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/store-v1.fixture").path
    }

    @Test func aVersion1StoreOpensWithItsStateIntact() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("store.sqlite")
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: path)
        let store = try GlossStore.open(at: path)
        #expect(store.identity.storeID.hex == "431a558fc6bb2844ca511bba9e58a15d")
        #expect(store.identity.name == "fixture-a")
        let state = try store.state()
        #expect(StateDigest.hex(of: state) == "55ce55ab22df8a4cc9551497b1801a26dbb0ccad0ec41ae0228c44516e28eb4a")
        #expect(try store.digest().digest == StateDigest.of(state), "entity hashes are filled in on upgrade")
        let annotation = try #require(state.annotations[ID128(hex: "cfa5d57cea3eb239b64b0afabd3fc7d8")!])
        #expect(Set(annotation.registers[.note]?.values.map(\.value) ?? []) == ["desk note", "field note"])
        #expect(annotation.tags.elements == ["café", "verify"])
        #expect(try store.changes().count == 4)
        #expect(try store.clock().total == 4, "the clock table is filled from the log on upgrade")
        #expect(try store.integrityCheck() == "ok")
        // v7 builds the search index from what the store holds: both notes in conflict, and the
        // article's text.
        let found = try store.search(["field", "note"], mark: ("[", "]"))
        #expect(found.map(\.entity) == [annotation.id] && found.first?.snippet.contains("[field] [note]") == true, "\(found)")
        #expect(try store.search(["desk"], in: .notes, mark: ("[", "]")).count == 1)
        let articleID = try #require(state.articles.keys.first)
        let word = try #require(state.articles[articleID]?.body.split(separator: " ").first { $0.count > 4 && $0.allSatisfy(\.isLetter) })
        #expect(try store.search([String(word)], in: .articles, mark: ("[", "]")).map(\.entity) == [articleID])
    }
}
