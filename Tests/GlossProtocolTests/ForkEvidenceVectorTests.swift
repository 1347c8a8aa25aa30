import Foundation
import GlossCore
import GlossProtocol
import Testing

/// Protocol/test-vectors/fork-evidence.json: fork proofs (SPEC §6.7) made by the independent
/// Python implementation, each decoded, re-encoded byte for byte, and checked with the stated
/// result.
@Suite("Fork evidence vectors")
struct ForkEvidenceVectorTests {
    struct File: Decodable {
        struct Vector: Decodable, Sendable, CustomTestStringConvertible {
            let name, description, store, bytes: String
            let content: SyncGoldenVectors.ForkContent
            let valid: Bool
            let error: String?

            var testDescription: String { name }
        }

        let vectors: [Vector]
    }

    static let vectors: [File.Vector] =
        (try? JSONDecoder().decode(
            File.self, from: Data(contentsOf: GoldenVectors.folder.appendingPathComponent("fork-evidence.json"))
        ).vectors) ?? []

    @Test("the file loads, with valid and invalid proofs")
    func listing() {
        #expect(Self.vectors.contains(where: \.valid) && Self.vectors.contains { !$0.valid })
    }

    @Test("each proof decodes to its content, encodes to its bytes, and verifies as stated", arguments: vectors)
    func vector(_ vector: File.Vector) throws {
        let bytes = try #require(Hex.bytes(vector.bytes))
        let decoded = try ForkEvidence.decode(bytes)
        #expect(decoded == (try vector.content.evidence()))
        #expect(decoded.encoded == bytes)
        let store = try parseID(vector.store)
        if vector.valid {
            try decoded.verify(store: store)
        } else {
            let error = #expect(throws: GlossCoreError.self) { try decoded.verify(store: store) }
            let expected: GlossCoreError.Code? =
                switch vector.error {
                case "badSignature": .badSignature
                case "unsignedChange": .unsignedChange
                default: nil
                }
            #expect(error?.code == expected, "\(String(describing: error))")
        }
    }
}
