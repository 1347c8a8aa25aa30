import Foundation
import GlossCore
import GlossProtocol
import Testing

/// Protocol/test-vectors/vectors.json, as Codable values, and its conversion to GlossCore values.
struct GoldenVectors: Decodable {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        let description: String
        let valid: Bool
        let content: BundleContent?
        let stateDigest: String?
        let error: String?

        var testDescription: String { file }
    }

    struct BundleContent: Decodable, Sendable {
        let store: String
        let changes: [ChangeContent]
        let runs: [RunContent]
    }

    /// A signed run (SPEC §6.6): hex strings.
    struct RunContent: Decodable, Sendable {
        struct CheckpointContent: Decodable, Sendable {
            let seq: UInt64
            let signature: String
        }

        let replica, key, base: String
        let checkpoints: [CheckpointContent]

        func run() throws -> SignedRun {
            guard let key = Hex.bytes(key).flatMap({ AuthorKey(bytes: $0) }), let base = Hex.bytes(base).flatMap({ ChainHash(bytes: $0) })
            else { throw Malformed(description: "vectors.json: a run's key or base") }
            return SignedRun(
                author: try parseID(replica), key: key, base: base,
                checkpoints: try checkpoints.map { checkpoint in
                    guard let signature = Hex.bytes(checkpoint.signature), signature.count == 64 else {
                        throw Malformed(description: "vectors.json: a signature")
                    }
                    return Checkpoint(seq: checkpoint.seq, signature: signature)
                })
        }
    }

    /// Two valid bundles whose histories of one author differ: the second is refused.
    struct Equivocation: Decodable, Sendable {
        let first, second, author: String
        let seq: UInt64
        let error: String
    }

    struct ChangeContent: Decodable, Sendable {
        let replica: String
        let seq: UInt64
        let time: UInt64
        let dependencies: [String: UInt64]
        let operations: [OperationContent]
    }

    /// One operation: `kind` says which of the optional fields are present. A createAnnotation
    /// with a `revision` is the one written with kind 0x09.
    struct OperationContent: Decodable, Sendable {
        let kind: String
        let id, article, entity, revision: String?
        let body, exact, prefix, suffix, field, value, tag, note, text: String?
        let start, end: UInt64?
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    let vectors: [Vector]
    let equivocations: [Equivocation]

    /// The folder holding the vectors, found from this source file rather than from a resource
    /// bundle: they are the same files a third party reads.
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // GlossProtocolTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the package root
        .appendingPathComponent("Protocol/test-vectors")

    static func load() throws -> GoldenVectors {
        let data = try Data(contentsOf: folder.appendingPathComponent("vectors.json"))
        return try JSONDecoder().decode(GoldenVectors.self, from: data)
    }

    static func bytes(of vector: Vector) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(vector.file)))
    }
}

extension GoldenVectors.BundleContent {
    func bundle() throws -> ChangeBundle {
        ChangeBundle(
            storeID: try parseID(store),
            batch: SignedBatch(changes: try changes.map { try $0.change() }, runs: try runs.map { try $0.run() }))
    }
}

extension GoldenVectors.ChangeContent {
    func change() throws -> Change {
        var vector = VersionVector()
        for (replica, seq) in dependencies { vector[try parseID(replica)] = seq }
        return Change(
            id: Dot(replica: try parseID(replica), seq: seq), dependencies: vector, time: time,
            operations: try operations.map { try $0.operation() })
    }
}

extension GoldenVectors.OperationContent {
    func operation() throws -> GlossCore.Operation {
        switch kind {
        case "createArticle":
            return .createArticle(id: try id(id), body: try need(body))
        case "createAnnotation":
            let anchor = Anchor(
                exact: try need(exact), prefix: try need(prefix), suffix: try need(suffix),
                start: try need(start), end: try need(end), revision: try revision.map(parseID))
            return .createAnnotation(id: try id(id), article: try id(article), anchor: anchor)
        case "addRevision":
            return .addRevision(article: try id(article), revision: try id(revision), note: try need(note), body: try need(text))
        case "set":
            guard let field = Field(rawValue: try need(field)) else { throw malformed("field \(field ?? "")") }
            return .set(entity: try id(entity), field: field, value: try need(value))
        case "addTag": return .addTag(entity: try id(entity), tag: try need(tag))
        case "removeTag": return .removeTag(entity: try id(entity), tag: try need(tag))
        case "deleteAnnotation": return .deleteAnnotation(id: try id(id))
        case "keepAnnotation": return .keepAnnotation(id: try id(id))
        default: throw malformed("operation kind \(kind)")
        }
    }

    private func id(_ hex: String?) throws -> ID128 { try parseID(need(hex)) }

    private func need<T>(_ value: T?) throws -> T {
        guard let value else { throw malformed("\(kind) is missing a field") }
        return value
    }
}

func parseID(_ hex: String) throws -> ID128 {
    guard let id = ID128(hex: hex) else { throw malformed("id \(hex)") }
    return id
}

private func malformed(_ what: String) -> GoldenVectors.Malformed {
    GoldenVectors.Malformed(description: "vectors.json: unexpected \(what)")
}
