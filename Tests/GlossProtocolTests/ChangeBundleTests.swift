import Crypto
import GlossCore
import GlossProtocol
import Testing

@Suite("Bundle file")
struct ChangeBundleTests {
    static let store = ID128(hex: "5a1e5a1e000000000000000000000001")!
    static let change = Change(
        id: Dot(replica: RawBytes.alice, seq: 1), dependencies: VersionVector(), time: 1_732_540_800_000,
        operations: [.createArticle(id: ArticleText.id(of: "Text."), body: "Text.")])

    func rejection(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ProtocolError? {
        #expect(throws: ProtocolError.self, sourceLocation: sourceLocation) { try ChangeBundle(decoding: bytes) }
    }

    /// `bytes` with the checksum recomputed, so a later check is what fails.
    func resealed(_ bytes: [UInt8]) -> [UInt8] {
        let body = bytes.dropLast(ChangeBundle.checksumLength)
        return Array(body) + Array(SHA256.hash(data: Array(body)))
    }

    @Test("layout: magic, version, store id, batch, SHA-256 of everything before it")
    func layout() throws {
        let bytes = ChangeBundle(storeID: Self.store, changes: [Self.change]).encoded()
        #expect(Array(bytes.prefix(9)) == Array("GLOSSBDL".utf8) + [0x02])
        #expect(Array(bytes[9..<25]) == Self.store.bytes)
        #expect(Array(bytes[25..<(bytes.count - 32)]) == ChangeBatch.encoded([Self.change]) + [0x00], "no signed runs")
        #expect(Array(bytes.suffix(32)) == Array(SHA256.hash(data: Array(bytes.dropLast(32)))))
    }

    @Test("an empty bundle is the 60-byte minimum")
    func empty() throws {
        let bytes = ChangeBundle(storeID: Self.store, changes: []).encoded()
        #expect(bytes.count == ChangeBundle.minimumSize)
        #expect(ChangeBundle.minimumSize == 60)
        #expect(try ChangeBundle(decoding: bytes) == ChangeBundle(storeID: Self.store, changes: []))
    }

    @Test("truncated: shorter than the minimum")
    func truncated() {
        let bytes = ChangeBundle(storeID: Self.store, changes: []).encoded()
        for length in [0, 8, 9, 59] {
            #expect(rejection(Array(bytes.prefix(length)))?.code == .truncated)
        }
    }

    @Test("badMagic: not a Gloss bundle")
    func badMagic() {
        var bytes = ChangeBundle(storeID: Self.store, changes: []).encoded()
        bytes[0] = UInt8(ascii: "g")
        let error = rejection(bytes)
        #expect(error?.code == .badMagic)
        #expect(error?.message.hasPrefix("not a Gloss bundle") == true)
    }

    @Test(
        "unsupportedVersion: checked before the checksum, with a message a person understands",
        arguments: [3, 255, 0, 1] as [UInt8])
    func unsupportedVersion(version: UInt8) {
        var bytes = ChangeBundle(storeID: Self.store, changes: [Self.change]).encoded()
        bytes[8] = version
        let error = rejection(bytes)
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.offset == 8)
        if version == 3 {
            #expect(error?.message == "bundle format 3 is newer than this gloss, which reads format 2")
        }
        if version == 1 {
            #expect(error?.message.contains("unsigned changes") == true)
        }
    }

    @Test("checksumMismatch: any changed, missing or added byte after the header")
    func checksumMismatch() {
        let bytes = ChangeBundle(storeID: Self.store, changes: [Self.change]).encoded()
        for index in 9..<bytes.count {
            var changed = bytes
            changed[index] ^= 0x01
            let error = rejection(changed)
            #expect(error?.code == .checksumMismatch, "byte \(index)")
            #expect(error?.message.contains("truncated or corrupt") == true)
        }
        #expect(rejection(Array(bytes.dropLast()))?.code == .checksumMismatch)
        #expect(rejection(bytes + [0])?.code == .checksumMismatch)
    }

    @Test("after the checksum, the batch's own errors come through")
    func batchErrors() {
        var bytes = ChangeBundle(storeID: Self.store, changes: [Self.change]).encoded()
        let seqOffset = 25 + 1 + 16 + 1 + 1
        #expect(bytes[seqOffset] == 0x01)
        bytes[seqOffset] = 0x00
        let error = rejection(resealed(bytes))
        #expect(error?.code == .zeroSequence)
        #expect(error?.offset == seqOffset)
    }

    @Test("trailingBytes: bytes between the checkpoint table and the checksum")
    func trailingBytes() {
        let bytes = ChangeBundle(storeID: Self.store, changes: [Self.change]).encoded()
        let padded = bytes.dropLast(32) + [0x00] + bytes.suffix(32)
        let error = rejection(resealed(Array(padded)))
        #expect(error?.code == .trailingBytes)
        #expect(error?.offset == bytes.count - 32)
    }

    @Test("a change count too large for the file is refused before allocating")
    func countTooLarge() {
        let header = Array("GLOSSBDL".utf8) + [0x02] + Self.store.bytes
        let batch = RawBytes.varint(0) + RawBytes.varint(UInt64(Int.max)) + [UInt8](repeating: 0, count: 4)
        let error = rejection(resealed(header + batch + [UInt8](repeating: 0, count: 32)))
        #expect(error?.code == .countTooLarge)
    }

    @Test("every code has a distinct number and a name that maps back to it")
    func codes() {
        let codes = ProtocolError.Code.all
        #expect(Set(codes.map(\.rawValue)).count == codes.count)
        // Encoding errors are numbered from 1, sync session errors from 32 (SPEC §9).
        #expect(codes.filter { $0.rawValue < 32 }.map(\.rawValue) == Array(1...19))
        #expect(codes.filter { $0.rawValue >= 32 }.map(\.rawValue) == Array(32...48))
        for code in codes { #expect(ProtocolError.Code(name: code.name) == code) }
        #expect(ProtocolError.Code(rawValue: 999).name == "code-999")
    }
}
