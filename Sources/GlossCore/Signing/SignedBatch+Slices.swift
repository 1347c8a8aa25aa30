extension SignedBatch {
    /// This batch as consecutive batches of at least `target` changes where it can be, each of
    /// which verifies on its own, so that a store can commit a large batch (a bundle of a year's
    /// notes) a slice at a time and never hold its write lock for long.
    ///
    /// A slice's runs must end at checkpoints (SPEC §6.6), and a store holds a signature for
    /// each author's last change (a HELLO's heads, §11.4.1). So each author's changes are taken
    /// in *segments* that end at its checkpoints (authors write one every 256 changes), and a
    /// slice is whole segments: any cut between two segments is one where every author ends at
    /// a signature. Segments are taken in a causal order, one whose every dependency inside the
    /// batch is already taken; should none be ready (authors that synced with each other more
    /// often than they signed), the rest goes in the last slice, in the batch's own order.
    ///
    /// The slices hold every change once, in a causal order (not always the batch's), each
    /// author's runs starting from the chain hash before their first change, each with its
    /// changes' chain hashes. `chains` is what `verify(store:)` returned for this batch (slicing
    /// a batch that did not verify makes no sense), so a slice need not be verified again.
    public func slices(chains: [ChainHash], target: Int) -> [(batch: SignedBatch, chains: [ChainHash])] {
        precondition(chains.count == changes.count, "chains are verify(store:)'s, one per change")
        // Segments need each author's changes in seq order, as a causal order has them; a
        // batch that verifies but is not so ordered is left whole (a store orders it).
        var last: [ReplicaID: UInt64] = [:]
        for change in changes {
            guard last[change.id.replica].map({ $0 + 1 == change.id.seq }) ?? true else { return [(self, chains)] }
            last[change.id.replica] = change.id.seq
        }
        var plan = SlicePlan(self, chains: chains)
        var slices: [(batch: SignedBatch, chains: [ChainHash])] = []
        var slice: [Int] = []  // positions in `changes`
        while let segment = plan.nextReadySegment() {
            slice += segment
            if slice.count >= target {
                slices.append(plan.batch(of: slice))
                slice = []
            }
        }
        slice += plan.remaining()
        if !slice.isEmpty { slices.append(plan.batch(of: slice)) }
        return slices
    }
}

/// The bookkeeping of `SignedBatch.slices`: each author's segments, and how far each author's
/// changes have been taken.
private struct SlicePlan {
    let batch: SignedBatch
    let chains: [ChainHash]
    /// Per author, positions of its changes cut after each checkpoint, in seq order.
    var segments: [ReplicaID: [[Int]]] = [:]
    /// Per author, the seqs its changes in the batch span.
    var span: [ReplicaID: ClosedRange<UInt64>] = [:]
    /// Per author, the highest seq taken so far (0: none).
    var taken: [ReplicaID: UInt64] = [:]
    var checkpointAt: [ReplicaID: [UInt64: Checkpoint]] = [:]
    var chainBefore: [Dot: ChainHash] = [:]
    let authors: [ReplicaID]

    init(_ batch: SignedBatch, chains: [ChainHash]) {
        self.batch = batch
        self.chains = chains
        for run in batch.runs {
            checkpointAt[run.author] = Dictionary(uniqueKeysWithValues: run.checkpoints.map { ($0.seq, $0) })
        }
        var previousChain = Dictionary(uniqueKeysWithValues: batch.runs.map { ($0.author, $0.base) })
        var open: [ReplicaID: [Int]] = [:]
        // A causal order holds each author's changes in seq order.
        for (position, change) in batch.changes.enumerated() {
            let author = change.id.replica
            chainBefore[change.id] = previousChain[author]
            previousChain[author] = chains[position]
            span[author] = span[author].map { $0.lowerBound...change.id.seq } ?? change.id.seq...change.id.seq
            open[author, default: []].append(position)
            if checkpointAt[author]?[change.id.seq] != nil {
                segments[author, default: []].append(open[author]!)
                open[author] = []
            }
        }
        authors = batch.runs.map(\.author)
    }

    /// Whether every dependency of the change at `position` outside its own author is held
    /// already (before the batch's span) or taken.
    func isReady(_ position: Int) -> Bool {
        let change = batch.changes[position]
        return change.dependencies.sortedEntries.allSatisfy { replica, seq in
            guard replica != change.id.replica, let span = span[replica], seq >= span.lowerBound else { return true }
            return taken[replica, default: 0] >= min(seq, span.upperBound)
        }
    }

    /// The positions of the next segment whose changes are all ready, taken; nil when none is.
    mutating func nextReadySegment() -> [Int]? {
        for author in authors {
            guard let segment = segments[author]?.first, segment.allSatisfy(isReady) else { continue }
            segments[author]!.removeFirst()
            taken[author] = batch.changes[segment.last!].id.seq
            return segment
        }
        return nil
    }

    /// Every change not taken yet, in the batch's order, taken.
    mutating func remaining() -> [Int] {
        let rest = batch.changes.indices.filter { batch.changes[$0].id.seq > taken[batch.changes[$0].id.replica, default: 0] }
        for position in rest { taken[batch.changes[position].id.replica] = batch.changes[position].id.seq }
        segments = [:]
        return rest
    }

    /// The changes at `positions` as a signed batch of their own, with their chain hashes.
    func batch(of positions: [Int]) -> (batch: SignedBatch, chains: [ChainHash]) {
        var runs: [ReplicaID: SignedRun] = [:]
        for position in positions {
            let change = batch.changes[position]
            let author = change.id.replica
            if runs[author] == nil {
                let key = batch.runs.first { $0.author == author }!.key
                runs[author] = SignedRun(author: author, key: key, base: chainBefore[change.id]!, checkpoints: [])
            }
            if let checkpoint = checkpointAt[author]?[change.id.seq] { runs[author]!.checkpoints.append(checkpoint) }
        }
        return (SignedBatch(changes: positions.map { batch.changes[$0] }, runs: Array(runs.values)), positions.map { chains[$0] })
    }
}
