/// Changes together with their authors' signatures: what every apply path receives (a CHANGES
/// message, a bundle, a clone) and checks before anything is written (SPEC §6.6).
///
/// Each author of a change in the batch has one `SignedRun`: its changes in the batch are
/// consecutive seqs (in any order among the others; `base` is the chain hash just before the
/// first), and the run's last change is signed, so one signature verify per author per batch
/// covers every change.
///
///     let chains = try batch.verify(store: storeID)   // chains[i] is chain(author, seq) of changes[i]
public struct SignedBatch: Hashable, Sendable {
    /// In a causal order.
    public var changes: [Change]
    /// One per author of a change, ascending by author id.
    public var runs: [SignedRun]

    public init(changes: [Change], runs: [SignedRun]) {
        self.changes = changes
        self.runs = runs.sorted { $0.author < $1.author }
    }

    public static let empty = SignedBatch(changes: [], runs: [])

    /// Checks that every change is covered by its author's signature, and returns the chain hash
    /// of each change (in `changes` order), computed from the runs' bases.
    ///
    /// Refuses, naming the author and the sequence number:
    /// - `.unsignedChange` when an author's changes are not one consecutive run, when
    ///   an author has no run or a run has no change, or when a run's checkpoints are not
    ///   ascending inside the run and ending at its last change;
    /// - `.badSignature` when a run's key does not hash to its author, or a signature does not
    ///   verify over the chain hash the changes give from the run's base.
    ///
    /// What it cannot check alone is that `base` is the chain hash the receiver holds: the
    /// store compares it, and a difference is a fork of the author's history.
    public func verify(store: StoreID) throws(GlossCoreError) -> [ChainHash] {
        // SPEC §6.6, in its order: every author's changes one consecutive run, every author
        // signed and every run used; then each run's key, checkpoints and signatures.
        var seqsByAuthor: [ReplicaID: [(seq: UInt64, position: Int)]] = [:]
        for (position, change) in changes.enumerated() {
            seqsByAuthor[change.id.replica, default: []].append((change.id.seq, position))
        }
        for (author, entries) in seqsByAuthor {
            let sorted = entries.map(\.seq).sorted()
            for (previous, next) in zip(sorted, sorted.dropFirst()) where previous == .max || next != previous + 1 {
                throw GlossCoreError(
                    .unsignedChange,
                    "the changes of replica \(author.hex) in the batch are not one consecutive run: \(next) follows \(previous)")
            }
        }
        var signed: Set<ReplicaID> = []
        for run in runs {
            guard signed.insert(run.author).inserted else {
                throw GlossCoreError(.unsignedChange, "the batch signs replica \(run.author.hex) twice")
            }
            guard seqsByAuthor[run.author] != nil else {
                throw GlossCoreError(.unsignedChange, "the batch signs replica \(run.author.hex) but holds no change of it")
            }
        }
        if let unsigned = changes.first(where: { !signed.contains($0.id.replica) }) {
            throw GlossCoreError(
                .unsignedChange, "change \(unsigned.id.replica.hex):\(unsigned.id.seq) carries no signature of its author")
        }
        var chains = [ChainHash](repeating: .zero, count: changes.count)
        for run in runs {
            let entries = seqsByAuthor[run.author]!.sorted { $0.seq < $1.seq }
            let runChains = try run.verify(store: store, changes: entries.map { changes[$0.position] })
            for (entry, chain) in zip(entries, runChains) { chains[entry.position] = chain }
        }
        return chains
    }
}

/// One author's consecutive changes in a batch, and its signatures over them.
public struct SignedRun: Hashable, Sendable {
    public var author: ReplicaID
    public var key: AuthorKey
    /// `chain(author, s0)` as the sender holds it, where `s0` is the seq before the run's first.
    public var base: ChainHash
    /// Ascending by seq, inside the run, the last at the run's last change.
    public var checkpoints: [Checkpoint]

    public init(author: ReplicaID, key: AuthorKey, base: ChainHash, checkpoints: [Checkpoint]) {
        self.author = author
        self.key = key
        self.base = base
        self.checkpoints = checkpoints
    }
}

extension SignedRun {
    /// Checks the run over its author's `changes` (consecutive, ascending by seq) and returns
    /// their chain hashes: the key its author's, the checkpoints inside the run and ending at its
    /// last change, and each signature valid.
    func verify(store: StoreID, changes: [Change]) throws(GlossCoreError) -> [ChainHash] {
        guard key.replicaID == author else {
            throw GlossCoreError(.badSignature, "the key given for replica \(author.hex) is another replica's key")
        }
        // `changes` are one consecutive run: `SignedBatch.verify` checked that first.
        let first = changes[0].id.seq
        let last = changes[changes.count - 1].id.seq
        guard let firstSigned = checkpoints.first?.seq, firstSigned >= first, checkpoints.last?.seq == last else {
            throw GlossCoreError(
                .unsignedChange, "the signatures of replica \(author.hex) do not end at its last change in the batch, \(last)")
        }
        var chain = base
        var chains: [ChainHash] = []
        chains.reserveCapacity(changes.count)
        var next = 0
        for change in changes {
            chain = chain.extended(with: change)
            chains.append(chain)
            guard next < checkpoints.count, checkpoints[next].seq == change.id.seq else { continue }
            let message = Checkpoint.message(store: store, author: author, seq: change.id.seq, chain: chain)
            guard key.verifies(checkpoints[next].signature, of: message) else {
                throw GlossCoreError(
                    .badSignature,
                    "the signature of replica \(author.hex) at its change \(change.id.seq) does not match the changes it covers")
            }
            next += 1
        }
        guard next == checkpoints.count else {
            throw GlossCoreError(.unsignedChange, "a checkpoint of replica \(author.hex) names a change not in the batch")
        }
        return chains
    }
}
