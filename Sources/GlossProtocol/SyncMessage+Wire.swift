import GlossCore

extension SyncMessage {
    /// The message as a frame: a 4-byte big-endian length (of type and body), the type, the body.
    public func framed() -> [UInt8] {
        var body = WireWriter()
        body.writeU8(kind.rawValue)
        writeBody(to: &body)
        let length = UInt32(body.bytes.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + body.bytes
    }

    private func writeBody(to writer: inout WireWriter) {
        switch self {
        case .hello(let hello):
            writer.writeVarint(hello.versions.lowerBound)
            writer.writeVarint(hello.versions.upperBound)
            writer.writeID(hello.storeID)
            writer.writeID(hello.replicaID)
            writer.writeString(hello.name)
            writer.writeVersionVector(hello.clock)
            writer.writeBytes(hello.digest)
            writer.writeVarint(hello.maximumFrameSize)
            writer.writeVarint(hello.capabilities.count)
            for capability in hello.capabilities { writer.writeString(capability) }
            writer.writeVarint(hello.heads.count)
            for head in hello.heads {
                writer.writeBytes(head.chain.bytes)
                writer.writeBytes(head.signature)
            }
            writer.writeVarint(hello.successions.count)
            for succession in hello.successions {
                writer.writeBytes(succession.key.bytes)
                writer.writeBytes(succession.signature)
            }
            writer.writeVarint(hello.forks.count)
            for evidence in hello.forks { writer.writeBytes(evidence.encoded) }
        case .changes(let batch, let changes):
            writer.writeVarint(batch)
            changes.write(to: &writer)
        case .ack(let batch):
            writer.writeVarint(batch)
        case .end, .ping:
            break
        case .summary(let clock, let digest):
            writer.writeVersionVector(clock)
            writer.writeBytes(digest)
        case .error(let code, let message):
            writer.writeVarint(UInt64(code.rawValue))
            writer.writeString(message)
        }
    }

    /// Decodes a frame's type and body (the length prefix already removed). Every message but
    /// HELLO must end where its fields do; HELLO may carry fields a later version added.
    public init(type: UInt8, body: ArraySlice<UInt8>) throws(ProtocolError) {
        var reader = WireReader(body)
        guard let kind = Kind(rawValue: type) else {
            throw ProtocolError(.unknownMessage, "expected a message type from 1 to 8, found \(type)", at: 0)
        }
        switch kind {
        case .hello:
            let low = try reader.readVarint("the lowest protocol version")
            let high = try reader.readVarint("the highest protocol version")
            guard low <= high, low >= 1 else {
                throw ProtocolError(.unsupportedVersion, "expected a version range, found \(low) to \(high)", at: 0)
            }
            let store = try reader.readID("the store id")
            let replica = try reader.readID("the replica id")
            let name = try reader.readString("the replica name")
            let clock = try reader.readVersionVector()
            let digest = Array(try reader.readBytes(32, "the state digest"))
            let maximumFrameSize = try reader.readVarint("the maximum frame size")
            let count = try reader.readCount(of: "capabilities", minimumItemSize: 1)
            var capabilities: [String] = []
            for _ in 0..<count { capabilities.append(try reader.readString("a capability")) }
            let headsStart = reader.offset
            let headCount = try reader.readCount(of: "heads", minimumItemSize: ChainHash.length + Checkpoint.signatureLength)
            guard headCount == clock.entries.count else {
                throw ProtocolError(
                    .unexpectedMessage, "expected \(counted(clock.entries.count, "head")), one per clock entry, found \(headCount)",
                    at: headsStart)
            }
            var heads: [SignedHead] = []
            for _ in 0..<headCount {
                let chain = ChainHash(bytes: try reader.readBytes(ChainHash.length, "a head's chain hash"))!
                heads.append(
                    SignedHead(chain: chain, signature: Array(try reader.readBytes(Checkpoint.signatureLength, "a head's signature"))))
            }
            let successionCount = try reader.readCount(of: "successions", minimumItemSize: AuthorKey.length + Checkpoint.signatureLength)
            var successions: [Succession] = []
            for _ in 0..<successionCount {
                let key = AuthorKey(bytes: try reader.readBytes(AuthorKey.length, "a succession's key"))!
                successions.append(
                    Succession(key: key, signature: Array(try reader.readBytes(Checkpoint.signatureLength, "a succession's signature"))))
            }
            let forkCount = try reader.readCount(of: "fork evidence", minimumItemSize: ForkEvidence.minimumSize)
            var forks: [ForkEvidence] = []
            for _ in 0..<forkCount { forks.append(try ForkEvidence.read(from: &reader)) }
            self = .hello(
                Hello(
                    versions: low...high, storeID: store, replicaID: replica, name: name, clock: clock,
                    digest: digest, maximumFrameSize: maximumFrameSize, capabilities: capabilities, heads: heads,
                    successions: successions, forks: forks))
            return  // trailing bytes: fields of a later version, ignored
        case .changes:
            let batch = try reader.readVarint("the batch number")
            self = .changes(batch: batch, try SignedBatch.read(from: &reader))
        case .changesDeflated:
            self = try Self.readDeflatedChanges(from: &reader)
        case .ack:
            self = .ack(batch: try reader.readVarint("the batch number"))
        case .end:
            self = .end
        case .ping:
            self = .ping
        case .summary:
            let clock = try reader.readVersionVector()
            self = .summary(clock: clock, digest: Array(try reader.readBytes(32, "the state digest")))
        case .error:
            let code = try reader.readVarint("the error code")
            guard code <= UInt64(UInt16.max) else {
                throw ProtocolError(.varintOverflow, "expected an error code below 65536, found \(code)", at: 0)
            }
            self = .error(code: ProtocolError.Code(rawValue: UInt16(code)), message: try reader.readString("the error message"))
        }
        try reader.expectEnd(after: "the \(kind) message")
    }
}

extension WireWriter {
    /// A version vector: a count, then (id16, varint seq ≥ 1) pairs ascending by id.
    public mutating func writeVersionVector(_ vector: VersionVector) {
        let entries = vector.sortedEntries
        writeVarint(entries.count)
        for (replica, seq) in entries {
            writeID(replica)
            writeVarint(seq)
        }
    }
}

extension WireReader {
    public mutating func readVersionVector() throws(ProtocolError) -> VersionVector {
        let count = try readCount(of: "version vector entries", minimumItemSize: 17)
        var entries: [ReplicaID: UInt64] = [:]
        var previous: ReplicaID?
        for _ in 0..<count {
            let start = offset
            let replica = try readID("a replica id")
            if let previous, replica <= previous {
                throw ProtocolError(
                    .unsortedReplicaTable,
                    "expected version vector entries ascending by replica id, found \(replica.hex) after \(previous.hex)", at: start)
            }
            let seqStart = offset
            let seq = try readVarint("a sequence number")
            guard seq >= 1 else {
                throw ProtocolError(.zeroSequence, "expected a sequence number of at least 1 for \(replica.hex), found 0", at: seqStart)
            }
            entries[replica] = seq
            previous = replica
        }
        return VersionVector(entries)
    }
}
