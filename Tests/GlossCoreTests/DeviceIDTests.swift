import Foundation
import GlossCore
import GlossTestSupport
import Testing

/// Device ids (SPEC §4.1.1) against the vectors an independent Python implementation wrote,
/// and the check characters against every single-character typo.
@Suite struct DeviceIDTests {
    struct Vectors: Decodable {
        struct Valid: Decodable {
            let replica: String
            let device: String
        }
        struct Typed: Decodable {
            let text: String
            let replica: String
            let why: String
        }
        struct Invalid: Decodable {
            let text: String
            let why: String
        }
        let valid: [Valid]
        let typed: [Typed]
        let invalid: [Invalid]
    }

    static let vectors: Vectors = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/test-vectors/device-ids/device-ids.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: file))
    }()

    @Test func printsAndReadsTheVectors() throws {
        #expect(Self.vectors.valid.count >= 5)
        for vector in Self.vectors.valid {
            let replica = try #require(ID128(hex: vector.replica))
            #expect(DeviceID(replica).description == vector.device)
            #expect(DeviceID(parsing: vector.device)?.replicaID == replica)
        }
    }

    @Test func readsWhatPeopleType() {
        for vector in Self.vectors.typed {
            #expect(DeviceID(parsing: vector.text)?.replicaID.hex == vector.replica, "\(vector.why)")
        }
    }

    @Test func refusesTheInvalidOnes() {
        for vector in Self.vectors.invalid {
            #expect(DeviceID(parsing: vector.text) == nil, "\(vector.why): \(vector.text)")
        }
    }

    /// Only ASCII letters fold case: Unicode would take the dotless "ı" for I and "ſ" for S.
    @Test func onlyASCIILettersFoldCase() {
        #expect(DeviceID(parsing: "SZP5WSB-3OOZMR7-EKZAR7X-A5INZUL") != nil)
        #expect(DeviceID(parsing: "SZP5WSB-3OOZMR7-EKZAR7X-A5\u{131}NZUL") == nil)
        #expect(DeviceID(parsing: "\u{17F}ZP5WSB-3OOZMR7-EKZAR7X-A5INZUL") == nil)
        #expect(DeviceID(parsing: "szp5wsb-3oozmr7-ekzar7x-a5inzul") != nil)
    }

    /// Luhn mod 32 catches every single-character error, whatever the character becomes.
    @Test func everySingleCharacterTypoIsCaught() throws {
        var random = SplitMix64(seed: 41)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        for _ in 0..<40 {
            let replica = ID128(high: random.next(), low: random.next())
            let shown = Array(DeviceID(replica).description)
            #expect(DeviceID(parsing: String(shown))?.replicaID == replica)
            for position in shown.indices where shown[position] != "-" {
                for letter in alphabet where letter != shown[position] {
                    var typo = shown
                    typo[position] = letter
                    #expect(DeviceID(parsing: String(typo)) == nil, "\(String(typo)) passed for \(String(shown))")
                }
            }
        }
    }
}
