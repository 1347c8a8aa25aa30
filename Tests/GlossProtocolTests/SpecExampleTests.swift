import Foundation
import GlossCore
import GlossProtocol
import Testing

/// The examples Protocol/SPEC.md gives, checked against the code, so the document cannot drift.
@Suite("SPEC.md examples")
struct SpecExampleTests {
    @Test("§4.2: the normalization example")
    func normalization() {
        #expect(ArticleText.normalized("\u{FEFF}Title\r\nBody\r\r  \n") == "Title\nBody")
    }

    @Test("§4.1: derived ids use the stated domains and layouts")
    func derivedIDs() {
        let key = [UInt8](repeating: 0xa1, count: 32)
        #expect(ID128.derived(fromPublicKey: key) == ID128.hashing(domain: "gloss-replica", key))
        let dot = Dot(replica: ID128.derived(fromPublicKey: key), seq: 2)
        let payload = dot.replica.bytes + [0, 0, 0, 0, 0, 0, 0, 2] + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(ID128.annotation(createdAt: dot, index: 0) == ID128.hashing(domain: "gloss-annotation", payload))
    }

    @Test("§8: field names sort as anchor, archived, color, note, revision, source, title")
    func fieldOrder() {
        #expect(Field.allCases.sorted().map(\.rawValue) == ["anchor", "archived", "color", "note", "revision", "source", "title"])
    }

    @Test("§13: the empty bundle dump")
    func emptyBundle() throws {
        let store = ID128(hex: "5a1e5a1e000000000000000000000001")!
        let bytes = ChangeBundle(storeID: store, changes: []).encoded()
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        #expect(hex.suffix(32).joined() == "4c9db6d34c23bc55eb1c5b5131a214d76b592ef5c1f00506dc4c51a61712e537")
        #expect(Array(bytes.dropLast(32)) == Array("GLOSSBDL".utf8) + [0x02] + store.bytes + [0x00, 0x00, 0x00])
    }
}
