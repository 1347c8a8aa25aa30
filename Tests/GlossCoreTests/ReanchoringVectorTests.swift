import Foundation
import GlossCore
import Testing

/// Every case of Protocol/test-vectors/reanchoring/vectors.json, the file another
/// implementation checks itself against, placed as the file says: the file and `Reanchoring`
/// cannot drift apart.
@Suite struct ReanchoringVectorTests {
    struct Vector: Decodable, CustomTestStringConvertible {
        struct Expected: Decodable {
            let state: String
            let start: Int?
            let end: Int?
            let score: Double
        }

        let name: String
        let old: String
        let new: String
        let anchor: [String: AnchorField]
        let expected: Expected

        var testDescription: String { name }
    }

    /// A field of an anchor: text (`exact`, `prefix`, `suffix`) or an offset (`start`, `end`).
    enum AnchorField: Decodable {
        case text(String)
        case offset(UInt64)

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let offset = try? value.decode(UInt64.self) { self = .offset(offset) } else { self = .text(try value.decode(String.self)) }
        }
    }

    static func vectors() throws -> [Vector] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/test-vectors/reanchoring/vectors.json")
        struct File: Decodable { let vectors: [Vector] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: file)).vectors
    }

    @Test func theFileHasEveryStateAndUniqueNames() throws {
        let vectors = try Self.vectors()
        #expect(Set(vectors.map(\.name)).count == vectors.count)
        #expect(Set(vectors.map(\.expected.state)) == Set(Reanchoring.State.allCases.map(\.rawValue)))
    }

    @Test(arguments: try vectors())
    func eachVectorIsPlacedAsTheFileSays(vector: Vector) throws {
        func text(_ key: String) throws -> String {
            guard case .text(let value)? = vector.anchor[key] else { throw VectorError(field: key) }
            return value
        }
        func offset(_ key: String) throws -> UInt64 {
            guard case .offset(let value)? = vector.anchor[key] else { throw VectorError(field: key) }
            return value
        }
        let anchor = Anchor(
            exact: try text("exact"), prefix: try text("prefix"), suffix: try text("suffix"), start: try offset("start"),
            end: try offset("end"))
        let result = Reanchoring.anchor(anchor, from: vector.old, to: vector.new)
        let expected = vector.expected
        #expect(result.state.rawValue == expected.state)
        #expect(result.range?.lowerBound == expected.start && result.range?.upperBound == expected.end)
        // Scores are written rounded to 4 decimal places.
        #expect(abs(result.score - expected.score) <= 0.00005, "score \(result.score)")
    }

    struct VectorError: Error { let field: String }
}
