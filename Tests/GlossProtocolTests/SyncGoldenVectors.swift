import Crypto
import Foundation
import GlossCore
import GlossProtocol
import Testing

/// Protocol/test-vectors/sync/vectors.json and the exchange files, as values.
struct SyncGoldenVectors: Decodable {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        let description: String
        let valid: Bool
        let message: MessageContent?
        /// False for a valid frame that does not re-encode to the same bytes (a HELLO with fields
        /// a later version added).
        let canonical: Bool?
        /// True when the file is a whole byte stream from the magic on; otherwise it is one frame.
        let stream: Bool?
        /// True for a CHANGES sent compressed (type 7): it decodes to `message`, but its deflated
        /// bytes are one of many valid encodings.
        let deflated: Bool?
        let error: String?
    }

    struct MessageContent: Decodable, Sendable {
        let type: String
        let code: UInt8
        let fields: Fields
    }

    /// The fields of any message type; `type` says which are present.
    struct HeadContent: Decodable, Sendable {
        let replica, chain, signature: String
    }

    struct SuccessionContent: Decodable, Sendable {
        let key, signature: String
    }

    /// Fork evidence (SPEC §6.7), as in HELLO and fork-evidence.json.
    struct ForkContent: Decodable, Sendable {
        struct History: Decodable, Sendable {
            let base: UInt64
            let baseChain, signature: String
            let changes: [GoldenVectors.ChangeContent]
        }

        let key: String
        let seq: UInt64
        let first, second: History

        func evidence() throws -> ForkEvidence {
            func history(_ content: History) throws -> SignedHistory {
                guard let chain = Hex.bytes(content.baseChain).flatMap({ ChainHash(bytes: $0) }),
                    let signature = Hex.bytes(content.signature)
                else { throw GoldenVectors.Malformed(description: "a fork history") }
                return SignedHistory(
                    base: content.base, baseChain: chain, changes: try content.changes.map { try $0.change() }, signature: signature)
            }
            guard let key = Hex.bytes(key).flatMap({ AuthorKey(bytes: $0) }) else {
                throw GoldenVectors.Malformed(description: "a fork key")
            }
            return ForkEvidence(key: key, seq: seq, first: try history(first), second: try history(second))
        }
    }

    struct Fields: Decodable, Sendable {
        struct Versions: Decodable, Sendable {
            let low, high: UInt64
        }

        let versions: Versions?
        let store, replica, name, digest: String?
        let clock: [String: UInt64]?
        let maximumFrameSize: UInt64?
        let capabilities: [String]?
        let heads: [HeadContent]?
        let successions: [SuccessionContent]?
        let forks: [ForkContent]?
        let runs: [GoldenVectors.RunContent]?
        let batch: UInt64?
        let changes: [GoldenVectors.ChangeContent]?
        let code: UInt16?
        let message: String?
    }

    struct Exchange: Decodable, Sendable, CustomTestStringConvertible {
        struct Replica: Decodable, Sendable {
            let store, replica, name, seed: String
            let changes: [GoldenVectors.ChangeContent]
            let checkpoints: [CheckpointContent]
        }

        struct CheckpointContent: Decodable, Sendable {
            let replica, signature: String
            let seq: UInt64
        }

        struct Outcome: Decodable, Sendable {
            let clock: [String: UInt64]?
            let digest: String?
            let error: String?
        }

        let file: String
        let description: String
        let client, server: Replica
        /// The sides whose frames a version 1 implementation must reproduce exactly.
        let reference: [String]
        let outcome: Outcome
    }

    /// One line of an exchange file: who sent which frame.
    struct Line: Sendable {
        let side: Int
        let label: String
        let bytes: [UInt8]
    }

    let vectors: [Vector]
    let exchanges: [Exchange]

    static let folder = GoldenVectors.folder.appendingPathComponent("sync")

    static func load() throws -> SyncGoldenVectors {
        let data = try Data(contentsOf: folder.appendingPathComponent("vectors.json"))
        return try JSONDecoder().decode(SyncGoldenVectors.self, from: data)
    }

    static func bytes(of file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(file)))
    }

    /// The frames of an exchange file, in file order; `#` starts a comment line.
    static func lines(of exchange: Exchange) throws -> [Line] {
        let text = try String(contentsOf: folder.appendingPathComponent(exchange.file), encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 3, let side = ["client", "server"].firstIndex(of: String(parts[0])),
                let bytes = Hex.bytes(parts[2])
            else {
                throw GoldenVectors.Malformed(description: "\(exchange.file): cannot read the line \(line)")
            }
            return Line(side: side, label: String(parts[1]), bytes: bytes)
        }
    }
}

extension SyncGoldenVectors.Vector {
    var testDescription: String { file }
}

extension SyncGoldenVectors.Exchange {
    var testDescription: String { file }
}

extension SyncGoldenVectors.MessageContent {
    /// The message the JSON describes.
    func message() throws -> SyncMessage {
        func need<T>(_ value: T?, _ name: String) throws -> T {
            guard let value else { throw GoldenVectors.Malformed(description: "\(type) is missing \(name)") }
            return value
        }
        switch type {
        case "HELLO":
            let versions = try need(fields.versions, "versions")
            return .hello(
                SyncMessage.Hello(
                    versions: versions.low...versions.high, storeID: try parseID(need(fields.store, "store")),
                    replicaID: try parseID(need(fields.replica, "replica")), name: try need(fields.name, "name"),
                    clock: try clock(need(fields.clock, "clock")), digest: try digest(need(fields.digest, "digest")),
                    maximumFrameSize: try need(fields.maximumFrameSize, "maximumFrameSize"),
                    capabilities: try need(fields.capabilities, "capabilities"),
                    heads: try need(fields.heads, "heads").map { head in
                        guard let chain = Hex.bytes(head.chain).flatMap({ ChainHash(bytes: $0) }), let signature = Hex.bytes(head.signature)
                        else { throw GoldenVectors.Malformed(description: "a head") }
                        return SignedHead(chain: chain, signature: signature)
                    },
                    successions: try need(fields.successions, "successions").map { succession in
                        guard let key = Hex.bytes(succession.key).flatMap({ AuthorKey(bytes: $0) }),
                            let signature = Hex.bytes(succession.signature)
                        else { throw GoldenVectors.Malformed(description: "a succession") }
                        return Succession(key: key, signature: signature)
                    },
                    forks: try need(fields.forks, "forks").map { try $0.evidence() }))
        case "CHANGES":
            return .changes(
                batch: try need(fields.batch, "batch"),
                SignedBatch(
                    changes: try need(fields.changes, "changes").map { try $0.change() },
                    runs: try need(fields.runs, "runs").map { try $0.run() }))
        case "ACK":
            return .ack(batch: try need(fields.batch, "batch"))
        case "END":
            return .end
        case "PING":
            return .ping
        case "SUMMARY":
            return .summary(clock: try clock(need(fields.clock, "clock")), digest: try digest(need(fields.digest, "digest")))
        case "ERROR":
            return .error(code: ProtocolError.Code(rawValue: try need(fields.code, "code")), message: try need(fields.message, "message"))
        default:
            throw GoldenVectors.Malformed(description: "unknown message type \(type)")
        }
    }
}

func clock(_ entries: [String: UInt64]) throws -> VersionVector {
    var clock = VersionVector()
    for (replica, seq) in entries { clock[try parseID(replica)] = seq }
    return clock
}

func digest(_ hex: String) throws -> [UInt8] {
    guard let bytes = Hex.bytes(hex), bytes.count == 32 else { throw GoldenVectors.Malformed(description: "digest \(hex)") }
    return bytes
}

extension SyncGoldenVectors.Exchange.Replica {
    func testReplica() throws -> SyncTestReplica {
        guard let seed = Hex.bytes(seed), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw GoldenVectors.Malformed(description: "a seed")
        }
        var signatures: [Dot: [UInt8]] = [:]
        for checkpoint in checkpoints {
            signatures[Dot(replica: try parseID(checkpoint.replica), seq: checkpoint.seq)] = Hex.bytes(checkpoint.signature)
        }
        // The vectors' people (README): Alice, Bob, Carol, and Alice's successor.
        var keys: [ReplicaID: AuthorKey] = [:]
        for byte: UInt8 in [0xa1, 0xb0, 0xc0, 0xa2] {
            let publicKey = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: byte, count: 32)).publicKey
            let authorKey = AuthorKey(bytes: publicKey.rawRepresentation)!
            keys[authorKey.replicaID] = authorKey
        }
        return SyncTestReplica(
            id: try parseID(replica), storeID: try parseID(store), name: name, log: try changes.map { try $0.change() }, key: key,
            keys: keys, checkpoints: signatures)
    }
}
