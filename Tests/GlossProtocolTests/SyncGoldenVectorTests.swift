import Foundation
import GlossCore
import GlossProtocol
import Testing

/// The files in Protocol/test-vectors/sync, made by an independent Python encoder, checked
/// against the real decoder, encoder and session: valid frames both ways, invalid ones with
/// the stated code, and each scripted exchange replayed against each side it covers.
@Suite("Sync golden vectors")
struct SyncGoldenVectorTests {
    static let document = try? SyncGoldenVectors.load()
    static let vectors = document?.vectors ?? []
    static let exchanges = document?.exchanges ?? []

    @Test("vectors.json loads and lists every file in the folder but the script")
    func listing() throws {
        let document = try SyncGoldenVectors.load()
        let listed = document.vectors.map(\.file) + document.exchanges.map(\.file)
        let present = try FileManager.default.contentsOfDirectory(atPath: SyncGoldenVectors.folder.path)
            .filter { $0.hasSuffix(".bin") || $0.hasSuffix(".txt") }
        #expect(Set(listed) == Set(present))
        #expect(listed.count == Set(listed).count)
        let types = Set(document.vectors.compactMap { $0.message?.type })
        #expect(types == ["HELLO", "CHANGES", "ACK", "END", "SUMMARY", "ERROR", "PING"], "a valid frame of every type")
    }

    @Test("valid frames decode to the described message, which encodes to the same bytes", arguments: vectors.filter(\.valid))
    func valid(vector: SyncGoldenVectors.Vector) throws {
        let bytes = try SyncGoldenVectors.bytes(of: vector.file)
        let expected = try #require(vector.message).message()
        let frames = try FrameFeeder.frames(of: SyncProtocol.magic + bytes)
        #expect(frames.count == 1)
        let frame = try #require(frames.first)
        #expect(try frame.message() == expected)
        if vector.deflated == true {
            #expect(frame.type == SyncMessage.Kind.changesDeflated.rawValue && expected.kind == .changes)
        } else if vector.canonical ?? true {
            #expect(frame.type == vector.message?.code)
            #expect(expected.framed() == bytes)
        } else {
            #expect(frame.type == vector.message?.code)
            #expect(expected.framed() != bytes)
            #expect(Array(bytes.dropFirst(4)).starts(with: expected.framed().dropFirst(4)), "extra fields come after the known ones")
        }
    }

    @Test("invalid streams and frames fail with the stated code", arguments: vectors.filter { !$0.valid })
    func invalid(vector: SyncGoldenVectors.Vector) throws {
        let expected = try #require(vector.error.flatMap(ProtocolError.Code.init(name:)), "unknown code name")
        let bytes = try SyncGoldenVectors.bytes(of: vector.file)
        let stream = (vector.stream ?? false) ? bytes : SyncProtocol.magic + bytes
        let error = #expect(throws: ProtocolError.self) {
            for frame in try FrameFeeder.frames(of: stream) { _ = try frame.message() }
        }
        #expect(error?.code == expected, "\(error?.description ?? "")")
        // Byte by byte, the stream fails at the same point with the same code.
        let byteByByte = #expect(throws: ProtocolError.self) {
            for frame in try FrameFeeder.frames(of: stream, chunks: Array(repeating: 1, count: stream.count)) { _ = try frame.message() }
        }
        #expect(byteByByte?.code == expected)
    }

    @Test("every sync error code a frame can reach has an invalid vector")
    func coverage() {
        let covered = Set(Self.vectors.compactMap(\.error))
        for code in [
            ProtocolError.Code.badMagic, .frameTooLarge, .truncated, .unknownMessage, .nonCanonicalVarint, .varintOverflow,
            .invalidUTF8, .countTooLarge, .trailingBytes, .unsupportedVersion, .unsortedReplicaTable, .badCompression,
        ] {
            #expect(covered.contains(code.name), "\(code.name)")
        }
    }

    @Test(
        "each exchange, replayed against each reference side, gets the same frames back in the same order",
        arguments: exchanges)
    func replay(exchange: SyncGoldenVectors.Exchange) throws {
        let lines = try SyncGoldenVectors.lines(of: exchange)
        for sideName in exchange.reference {
            let side = sideName == "client" ? 0 : 1
            var world = SyncWorld(replicas: [try exchange.client.testReplica(), try exchange.server.testReplica()])
            let link = world.connect(client: 0, server: 1)
            var ownBytes: [UInt8] = []
            for (number, line) in lines.enumerated() {
                if line.side == side {
                    ownBytes += line.bytes
                    let sent = world.links[link].sides[side].bytesSent
                    #expect(sent.starts(with: ownBytes), "\(sideName), line \(number + 1) (\(line.label)): not sent, or sent differently")
                } else if line.label == "MAGIC" {
                    #expect(line.bytes == SyncProtocol.magic)  // the world's connection already carried it
                } else {
                    world.receive(line.bytes, link: link, side: side)
                }
            }
            let replayed = world.links[link].sides[side]
            #expect(replayed.bytesSent == ownBytes, "\(sideName) sent more than the file shows")
            try expectOutcome(exchange.outcome, of: replayed, sideName)
        }
    }

    @Test(
        "exchanges between two version 1 sides come out of two sessions in exactly the file's order",
        arguments: exchanges.filter { $0.reference.count == 2 })
    func bothSides(exchange: SyncGoldenVectors.Exchange) throws {
        let lines = try SyncGoldenVectors.lines(of: exchange).filter { $0.label != "MAGIC" }
        var world = SyncWorld(replicas: [try exchange.client.testReplica(), try exchange.server.testReplica()])
        let link = world.sync(client: 0, server: 1)
        #expect(world.sendLog.map(\.side) == lines.map(\.side))
        #expect(world.sendLog.map { $0.message.framed() } == lines.map(\.bytes))
        for (index, side) in world.links[link].sides.enumerated() {
            try expectOutcome(exchange.outcome, of: side, index == 0 ? "client" : "server")
        }
        if exchange.outcome.error == nil {
            #expect(world.replicas[0].digest == world.replicas[1].digest)
        }
    }

    func expectOutcome(_ expected: SyncGoldenVectors.Exchange.Outcome, of side: SyncWorld.Side, _ name: String) throws {
        if let error = expected.error {
            #expect(side.failure?.error.code.name == error, "\(name)")
            #expect(side.outcome == nil)
        } else {
            let outcome = try #require(side.outcome, "\(name) did not finish: \(String(describing: side.failure))")
            #expect(outcome.localClock == (try clock(#require(expected.clock))), "\(name)")
            #expect(outcome.localDigest == (try digest(#require(expected.digest))), "\(name)")
            #expect(!outcome.diverged)
        }
    }
}
