import GlossCore

/// A change batch followed by its checkpoint table (SPEC §6.6): what a CHANGES message and a
/// bundle carry.
///
///     change batch         (§6.1)
///     run count            varint
///     runs                 count × run, strictly ascending author index
///     run:  author index   varint, into the batch's replica table
///           key            32 bytes, the author's Ed25519 public key
///           base           32 bytes, chain(author, s0): s0 is the seq before the run's first change
///           checkpoint count varint ≥ 1
///           checkpoints    count × (seq varint, signature 64 bytes), seq strictly ascending
///
/// The reader checks the encoding only; `SignedBatch.verify(store:)` checks the signatures.
extension SignedBatch {
    /// The smallest run: index, key, base, a count, one checkpoint of a 1-byte seq.
    static let minimumRunSize = 1 + AuthorKey.length + ChainHash.length + 1 + 1 + Checkpoint.signatureLength
    /// The smallest checkpoint: a 1-byte seq and a signature.
    static let minimumCheckpointSize = 1 + Checkpoint.signatureLength

    public func write(to writer: inout WireWriter) {
        let table = ReplicaTable(covering: changes)
        writer.writeReplicaTable(table)
        writer.writeVarint(changes.count)
        for change in changes { writer.writeChange(change, in: table) }
        writer.writeVarint(runs.count)
        for run in runs {
            guard let index = table.index(of: run.author) else {
                preconditionFailure("the batch signs replica \(run.author.hex), which none of its changes names")
            }
            writer.writeVarint(index)
            writer.writeBytes(run.key.bytes)
            writer.writeBytes(run.base.bytes)
            writer.writeVarint(run.checkpoints.count)
            for checkpoint in run.checkpoints {
                writer.writeVarint(checkpoint.seq)
                writer.writeBytes(checkpoint.signature)
            }
        }
    }

    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        write(to: &writer)
        return writer.bytes
    }

    /// Reads a signed batch, leaving the reader just past it.
    public static func read(from reader: inout WireReader) throws(ProtocolError) -> SignedBatch {
        let (changes, table) = try ChangeBatch.readWithTable(from: &reader)
        let count = try reader.readCount(of: "signed runs", minimumItemSize: minimumRunSize)
        var runs: [SignedRun] = []
        runs.reserveCapacity(count)
        var previous: Int?
        for _ in 0..<count {
            let start = reader.offset
            let index = try reader.readIndex(of: "a signed run's author", below: table.count)
            if let previous, index <= previous {
                throw ProtocolError(.unsortedRuns, "expected a signed run's author index above \(previous), found \(index)", at: start)
            }
            previous = index
            let key = AuthorKey(bytes: try reader.readBytes(AuthorKey.length, "the author's key"))!
            let base = ChainHash(bytes: try reader.readBytes(ChainHash.length, "the run's base chain hash"))!
            let countStart = reader.offset
            let checkpointCount = try reader.readCount(of: "checkpoints", minimumItemSize: minimumCheckpointSize)
            guard checkpointCount >= 1 else {
                throw ProtocolError(.unsortedRuns, "expected a signed run to have at least one checkpoint, found 0", at: countStart)
            }
            var checkpoints: [Checkpoint] = []
            checkpoints.reserveCapacity(checkpointCount)
            for _ in 0..<checkpointCount {
                let seqStart = reader.offset
                let seq = try reader.readVarint("a checkpoint's sequence number")
                guard seq >= 1 else {
                    throw ProtocolError(.zeroSequence, "expected a checkpoint's sequence number of at least 1, found 0", at: seqStart)
                }
                if let last = checkpoints.last, seq <= last.seq {
                    throw ProtocolError(.unsortedRuns, "expected a checkpoint after \(last.seq), found \(seq)", at: seqStart)
                }
                checkpoints.append(Checkpoint(seq: seq, signature: Array(try reader.readBytes(Checkpoint.signatureLength, "a signature"))))
            }
            runs.append(SignedRun(author: table[index]!, key: key, base: base, checkpoints: checkpoints))
        }
        return SignedBatch(changes: changes, runs: runs)
    }

    /// Reads bytes that hold one signed batch and nothing else.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> SignedBatch {
        var reader = WireReader(bytes)
        let batch = try read(from: &reader)
        try reader.expectEnd(after: "the last signed run")
        return batch
    }
}
