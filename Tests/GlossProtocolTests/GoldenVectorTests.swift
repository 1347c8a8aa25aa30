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
        _ = try decoded.verified()
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
        let error = #expect(throws: ProtocolError.self) { _ = try ChangeBundle(decoding: bytes).verified() }
        #expect(error?.code == expected, "\(error?.description ?? "")")
    }

    @Test("every error code that a bundle can reach has an invalid vector")
    func coverage() {
        let covered = Set(Self.vectors.compactMap(\.error))
        let reachable = ProtocolError.Code.all.filter { $0.rawValue < 32 } + [.badSignature, .unsignedChange]
        #expect(covered == Set(reachable.map(\.name)))
    }

    /// Two bundles each validly signed by one author, with different histories: the chain
    /// hashes at the stated seq differ, which is what a store refuses as an equivocation.
    @Test("the equivocation pair is two signed histories of one author that differ at the stated seq")
    func equivocations() throws {
        let pairs = try GoldenVectors.load().equivocations
        #expect(!pairs.isEmpty)
        for pair in pairs {
            let author = try parseID(pair.author)
            var chains: [ChainHash] = []
            for file in [pair.first, pair.second] {
                let bundle = try ChangeBundle(decoding: Array(try Data(contentsOf: GoldenVectors.folder.appendingPathComponent(file))))
                let verified = try bundle.verified()
                let index = try #require(bundle.changes.firstIndex { $0.id == Dot(replica: author, seq: pair.seq) })
                chains.append(verified[index])
            }
            #expect(chains[0] != chains[1])
            #expect(pair.error == ProtocolError.Code.equivocation.name)
        }
    }
}
