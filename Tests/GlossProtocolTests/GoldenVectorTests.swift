import Foundation
import GlossCore
import GlossProtocol
import Testing

/// The files in Protocol/test-vectors, checked in both directions: each valid file decodes to
/// the content vectors.json describes and that content encodes to the same bytes; each invalid
/// file fails with the code vectors.json names.
@Suite("Golden vectors")
struct GoldenVectorTests {
    static let vectors = (try? GoldenVectors.load().vectors) ?? []

    @Test("vectors.json loads and lists every .bin file in the folder")
    func listing() throws {
        let listed = try GoldenVectors.load().vectors.map(\.file)
        let present = try FileManager.default.contentsOfDirectory(atPath: GoldenVectors.folder.path)
            .filter { $0.hasSuffix(".bin") }
        #expect(Set(listed) == Set(present))
        #expect(listed.count == Set(listed).count)
        #expect(Self.vectors.filter(\.valid).count >= 3)
    }

    @Test(
        "valid files decode to the described content, which encodes to the same bytes",
        arguments: vectors.filter(\.valid))
    func valid(vector: GoldenVectors.Vector) throws {
        let bytes = try GoldenVectors.bytes(of: vector)
        let expected = try #require(vector.content).bundle()
        let decoded = try ChangeBundle(decoding: bytes)
        #expect(decoded == expected)
        #expect(expected.encoded() == bytes)
    }

    @Test(
        "valid files hold changes the model accepts, giving the stated digest",
        arguments: vectors.filter(\.valid))
    func stateDigest(vector: GoldenVectors.Vector) throws {
        let bundle = try ChangeBundle(decoding: GoldenVectors.bytes(of: vector))
        var state = ReplicaState()
        for change in bundle.changes {
            try change.validateShape()
            #expect(try state.apply(change))
        }
        #expect(StateDigest.hex(of: state) == vector.stateDigest)
    }

    @Test("invalid files fail with the stated code", arguments: vectors.filter { !$0.valid })
    func invalid(vector: GoldenVectors.Vector) throws {
        let expected = try #require(vector.error.flatMap(ProtocolError.Code.init(name:)), "unknown code name")
        let bytes = try GoldenVectors.bytes(of: vector)
        let error = #expect(throws: ProtocolError.self) { try ChangeBundle(decoding: bytes) }
        #expect(error?.code == expected, "\(error?.description ?? "")")
    }

    @Test("every error code that a bundle can reach has an invalid vector")
    func coverage() {
        let covered = Set(Self.vectors.compactMap(\.error))
        #expect(covered == Set(ProtocolError.Code.all.filter { $0.rawValue < 32 }.map(\.name)))
    }
}
