import Foundation
import GRDB
import GlossCore

/// What `apply` did with a batch of changes.
public struct ApplyReport: Hashable, Sendable {
    /// Changes new to this store, now applied.
    public var applied: Int = 0
    /// Changes it held already (identical ones: re-delivery is a no-op).
    public var alreadyHeld: Int = 0
    /// Changes this store wrote under its old replica id that the batch's history of that id
    /// replaced, re-issued under its present id (a restored or copied store, GlossStore+Recovery).
    public var reissued: Int = 0
    /// Changes set aside, neither applied nor refused, because a proven fork touches them: the
    /// forked author's from the fork on, and those that saw them (SPEC §6.7).
    public var setAside: Int = 0
}

extension GlossStore {
    /// Carries out what a person asked for as one change, decided by GlossCore from the state
    /// it will supersede. Returns nil, writing nothing, when the intent changes nothing.
    ///
    /// The intent is decided inside the write transaction that records it: what it reads is
    /// exactly what the change's causal context (the current version vector) says its author
    /// saw. Reading first and writing later would let a change that arrived in between (from
    /// `gloss serve`, or a bundle applied by another process) be superseded unseen. The state
    /// the intent read is the state the change is applied to: nothing is loaded twice.
    ///
    ///     try store.perform(EditIntent(target: id, fields: [.note: "x"]), time: now)
    @discardableResult
    public func perform(_ intent: some Intent, time: UInt64) throws -> Change? {
        try recordLocalChange(time: time) { dot, clock, db in
            let loaded = try EntityRows.load(intent.reads, in: db)
            let state = ReplicaState(clock: clock, articles: loaded.articles, annotations: loaded.annotations)
            let history = try intent.readsHistory.map { try ChangeRows.touching($0, in: db) } ?? []
            return (state, try intent.operations(on: state, as: dot, history: history))
        }
    }

    /// Records a local change of raw operations that need no reading (they depend only on the
    /// dot, e.g. to derive a new annotation's id), for callers that write operations
    /// themselves (benchmarks, tests). Front ends state an `Intent` through `perform` instead, so
    /// GlossCore decides the operations.
    @discardableResult
    public func commit(time: UInt64, _ makeOperations: (Dot) throws -> [GlossCore.Operation]) throws -> Change {
        guard let change = try recordLocalChange(time: time, { dot, clock, _ in (ReplicaState(clock: clock), try makeOperations(dot)) })
        else {
            throw GlossStoreError(.invalidChange, "a change needs at least one operation")
        }
        return change
    }

    /// One local change in one write transaction: `decide` gets the change's dot and the clock it
    /// will record as seen, and returns the state it read and the operations; none writes nothing.
    private func recordLocalChange(
        time: UInt64, _ decide: (Dot, VersionVector, Database) throws -> (ReplicaState, [GlossCore.Operation])
    ) throws -> Change? {
        let replica = identity.replicaID
        do {
            return try database.write { db in
                let clock = try ChangeRows.clock(in: db)
                let dot = Dot(replica: replica, seq: clock[replica] + 1)
                let (state, operations) = try decide(dot, clock, db)
                guard !operations.isEmpty else { return nil }
                // A forked author's changes from the fork on are not claimed as seen (SPEC §6.7):
                // replicas that refuse them can still take this change.
                var seen = clock
                for fork in try Self.forks(in: db) where seen[fork.author] >= max(fork.seq, 1) { seen[fork.author] = max(fork.seq, 1) - 1 }
                let change = Change(id: dot, dependencies: seen, time: time, operations: operations)
                guard let previous = try SignatureRows.chain(of: Dot(replica: replica, seq: dot.seq - 1), in: db) else {
                    throw GlossStoreError(.notAGlossStore, "the chain hash of this replica's change \(dot.seq - 1) is missing")
                }
                try Self.applyNew(change, chain: previous.extended(with: change), onto: state, in: db)
                return change
            }
        } catch let error as GlossCoreError {
            throw GlossStoreError(refusing: error)
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
    }

    /// Applies signed changes from a peer or a bundle, all or none, in one transaction. Changes
    /// may come in any order and more than once; they are applied in causal order. Refused whole
    /// (nothing applied) when:
    /// - a change is not covered by its author's signature (`.unsignedChange`, `.badSignature`),
    ///   checked before the write transaction starts;
    /// - an author's history in the batch is not the one held here: the run's base or a held
    ///   change's chain hash differs, so the author signed two histories (`.equivocation`);
    /// - a change needs predecessors that are neither held nor in the batch, or breaks the
    ///   model's rules.
    ///
    /// `from`, when given, is the device that sent the changes: they are applied only if its
    /// role is read-write, checked in the same transaction, so a revoke that commits first
    /// always wins (`.notPermitted` for a read-only device, `.notTrusted` for any other).
    ///
    /// `quotesByPosition`: the batch came from a peer that may send quotes by position (SPEC
    /// §11.4.2b); they are rebuilt from the articles' texts before anything is checked.
    @discardableResult
    public func apply(_ batch: SignedBatch, from device: ReplicaID? = nil, quotesByPosition: Bool = false) throws(GlossStoreError)
        -> ApplyReport
    {
        // The sender's role first (SPEC §11.13): a read-only device hears `notPermitted`, and
        // costs no hashing. The transaction checks it again, so a revoke that commits first wins.
        if let device { try access { try database.read { db in try Self.requireReadWrite(device, in: db) } } }
        let batch = quotesByPosition ? try restoringQuotes(in: batch) : batch
        let chains = try verified(batch)
        // The note says who holds the store while this batch is applied (WriterNote).
        let note = WriterNote(store: path)
        note.begin()
        defer { note.end() }
        return try applyChecked(batch, chains: chains, from: device)
    }

    /// The chain hash of each change of `batch`, once its signatures are checked.
    private func verified(_ batch: SignedBatch) throws(GlossStoreError) -> [ChainHash] {
        do {
            return try batch.verify(store: identity.storeID)
        } catch {
            throw GlossStoreError(refusing: error)
        }
    }

    /// `applyVerified` in its transaction, with a fork it finds recorded and reported.
    private func applyChecked(_ batch: SignedBatch, chains: [ChainHash], from device: ReplicaID?) throws(GlossStoreError)
        -> ApplyReport
    {
        try access {
            do {
                return try applyVerified(batch, chains: chains, from: device)
            } catch let found as ForkFound {
                // The transaction rolled back; the proof is kept in one of its own, to pass on.
                if let evidence = found.evidence { _ = try? recordFork(evidence, time: UInt64(Date().timeIntervalSince1970 * 1000)) }
                throw Self.fork(of: found.author, at: found.seq)
            }
        }
    }

    /// Applies a large batch (a bundle) a slice of about `target` changes at a time, each in a
    /// transaction of its own, so that another writer (a `gloss edit`, a server's session)
    /// waits for one slice, never for the whole (`SignedBatch.slices`). Checked on the whole
    /// batch first, writing nothing if they fail: every signature, and that every change's
    /// predecessors are held or come before it. A refusal found later (a fork of an author's
    /// history, a change the model rules refuse) keeps the slices before it, which are whole,
    /// signed changes; applying the batch again resumes after them, and the error says how many
    /// were kept. A store with a fork on record applies the batch whole (`apply`).
    @discardableResult
    public func applyInSlices(_ batch: SignedBatch, target: Int = 500) throws(GlossStoreError) -> ApplyReport {
        let chains = try verified(batch)
        let note = WriterNote(store: path)
        note.begin()
        defer { note.end() }
        // With a fork on record, what is set aside depends on the whole batch (a change after a
        // set-aside one of its author is set aside too): applied whole, as before.
        guard try forks().isEmpty else { return try applyChecked(batch, chains: chains, from: nil) }
        let clock = try self.clock()
        let (_, blocked) = CausalOrder.arrange(batch.changes, after: clock)
        if let first = blocked.first { throw Self.missingPredecessors(of: first, blocked: blocked.count, clock: clock) }
        var total = ApplyReport()
        for (number, slice) in batch.slices(chains: chains, target: target).enumerated() {
            // Between slices, a pause that lets a waiting writer (which tries every 2 ms) in.
            if number > 0 { usleep(10_000) }
            do {
                // Each slice's chain hashes are the whole batch's: its signatures are not checked again.
                let report = try applyChecked(slice.batch, chains: slice.chains, from: nil)
                total.applied += report.applied
                total.alreadyHeld += report.alreadyHeld
                total.reissued += report.reissued
                total.setAside += report.setAside
            } catch  where total.applied > 0 {
                let kept = total.applied == 1 ? "1 change before it was" : "\(total.applied) changes before it were"
                let why = error.message.replacingOccurrences(of: " (nothing was applied)", with: "")
                throw GlossStoreError(error.code, "\(why) (\(kept) applied and kept; applying it again resumes there)")
            }
        }
        return total
    }

    /// `batch` with its quotes sent by position rebuilt: from articles the batch creates, else
    /// from those held here (articles are never deleted, so what is read now still holds when
    /// the batch is applied).
    private func restoringQuotes(in batch: SignedBatch) throws(GlossStoreError) -> SignedBatch {
        guard batch.changes.contains(where: \.hasQuotesByPosition) else { return batch }
        // `access` reports a GlossCoreError as the refusal it is.
        return try access {
            try database.read { db in
                var articles = ArticleScalars { id in try Self.body(of: id, in: db) }
                var restored = batch
                restored.changes = try batch.changes.map { change in
                    let whole = try change.restoringQuotes(&articles)
                    // Whole, each change must still fit one CHANGES frame, for any peer to
                    // forward it to one that does not take quotes by position.
                    if change.hasQuotesByPosition {
                        var writer = WireWriter()
                        writer.writeChange(whole, in: ReplicaTable(covering: [whole]))
                        guard writer.bytes.count <= articles.rebuildLimit else {
                            throw GlossCoreError(
                                .invalidChange,
                                "change \(change.id) is \(writer.bytes.count) bytes with its quotes rebuilt, more than one frame carries")
                        }
                    }
                    return whole
                }
                return restored
            }
        }
    }

    /// The text of article `id`, if this store holds it.
    static func body(of id: EntityID, in db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM article WHERE id = ?"), arguments: [Data(id.bytes)])
    }

    /// `apply`'s transaction, after the signatures were checked. Runs in this order (SPEC §6.6
    /// step 3, §6.7, §4.10): the sender's role; what a proven fork sets aside; a restored
    /// store's recovery; each run's base, then each held change's chain hash; then the rest, in
    /// causal order; then the checkpoints of what is now held, and the re-issued changes.
    private func applyVerified(_ batch: SignedBatch, chains: [ChainHash], from device: ReplicaID?) throws -> ApplyReport {
        try database.write { db in
            if let device { try Self.requireReadWrite(device, in: db) }
            let aside = try Self.setAside(in: batch, in: db)
            var clock = try ChangeRows.clock(in: db)
            // A restored or copied store takes its original's history of its old id instead of
            // its own, and re-issues its own after the first difference (GlossStore+Recovery).
            let recovery = try Recovery.read(db)
            let forked =
                try recovery.map { try Self.takeForkedChanges(of: batch, chains: chains, recovery: $0, clock: &clock, in: db) } ?? []
            var report = ApplyReport()
            report.setAside = aside.count
            var chainOf: [Dot: ChainHash] = [:]
            var firstSeq: [ReplicaID: UInt64] = [:]
            for (change, chain) in zip(batch.changes, chains) where !aside.contains(change.id) {
                chainOf[change.id] = chain
                firstSeq[change.id.replica] = min(firstSeq[change.id.replica] ?? .max, change.id.seq)
            }
            for run in batch.runs {
                guard let first = firstSeq[run.author] else { continue }
                let base = first - 1
                if clock[run.author] >= base, try SignatureRows.chain(of: Dot(replica: run.author, seq: base), in: db) != run.base {
                    throw try ForkFound(author: run.author, seq: base, batch: batch, in: db)
                }
            }
            for change in batch.changes where chainOf[change.id] != nil && clock.contains(change.id) {
                guard try SignatureRows.chain(of: change.id, in: db) == chainOf[change.id] else {
                    throw try ForkFound(author: change.id.replica, seq: change.id.seq, batch: batch, in: db)
                }
                report.alreadyHeld += 1
            }
            let fresh = batch.changes.filter { chainOf[$0.id] != nil && !clock.contains($0.id) }
            let (ready, blocked) = CausalOrder.arrange(fresh, after: clock)
            if let first = blocked.first { throw Self.missingPredecessors(of: first, blocked: blocked.count, clock: clock) }
            try Self.applyInChunks(ready, chains: chainOf, clock: &clock, in: db)
            report.applied += ready.count
            for var run in batch.runs {
                // Only signatures of changes now held here: a set-aside change's is another branch's.
                run.checkpoints.removeAll { chainOf[Dot(replica: run.author, seq: $0.seq)] == nil }
                try SignatureRows.store(run, in: db)
            }
            // The id in the file, not `identity`: a store object opened before the re-key is stale.
            try Self.reissue(forked, as: try StoreIdentity.read(db).replicaID, clock: &clock, in: db)
            report.reissued = forked.count
            return report
        }
    }

    /// The changes a peer holding `since` lacks, signed: for a bundle, which holds them all.
    public func signedChanges(since: VersionVector = VersionVector()) throws(GlossStoreError) -> SignedBatch {
        let key = try replicaKey()
        return try access {
            try database.read { db in
                let changes = try ChangeRows.fetchLacking(since, in: db)
                return SignedBatch(
                    changes: changes,
                    runs: try SignatureRows.runs(signing: changes, store: identity.storeID, key: key, atDependencies: true, in: db))
            }
        }
    }

    /// How many changes `applyInChunks` merges between one load and one save.
    static let applyChunk = 512

    /// Merges changes that are not yet held, in a causal order, a chunk at a time: each chunk's
    /// entities are loaded in one go, merged in memory through GlossCore's rules, and saved
    /// once, however many of its changes touch them. A chunk bounds the memory a whole
    /// bundle's apply takes.
    static func applyInChunks(_ changes: [Change], chains: [Dot: ChainHash], clock: inout VersionVector, in db: Database) throws {
        let ordinals = ReplicaOrdinals.Memo()
        for start in stride(from: 0, to: changes.count, by: applyChunk) {
            let chunk = changes[start..<min(changes.count, start + applyChunk)]
            var touched = Set(chunk.flatMap(Self.touchedEntities))
            let loaded = try loadTouched(&touched, by: chunk, in: db)
            var state = ReplicaState(clock: clock, articles: loaded.articles, annotations: loaded.annotations)
            for change in chunk {
                try state.apply(change)
                try ChangeRows.insert(change, chain: chains[change.id]!, ordinals: ordinals, in: db)
            }
            try EntityRows.save(
                touched, from: state, replacing: ReplicaState(articles: loaded.articles, annotations: loaded.annotations),
                ordinals: ordinals, in: db)
            clock = state.clock
        }
    }

    /// The entities a change's operations write, and the article an annotation it creates is on.
    static func touchedEntities(of change: Change) -> Set<EntityID> {
        var touched: Set<EntityID> = []
        for operation in change.operations {
            touched.insert(operation.entity)
            if case .createAnnotation(_, let article, _) = operation { touched.insert(article) }
        }
        return touched
    }

    /// Loads `touched`, and the articles of the annotations whose `anchor` the changes write
    /// (a placed anchor is checked against its article's revisions), adding those to `touched`.
    static func loadTouched(
        _ touched: inout Set<EntityID>, by changes: some Collection<Change>, alongside held: ReplicaState = ReplicaState(), in db: Database
    ) throws -> (articles: [EntityID: ArticleState], annotations: [EntityID: AnnotationState]) {
        var loaded = try EntityRows.load(touched, in: db)
        let placed = changes.flatMap { change in
            change.operations.compactMap { operation -> EntityID? in
                guard case .set(let entity, .anchor, _) = operation else { return nil }
                return entity
            }
        }
        let articles = Set(placed.compactMap { (loaded.annotations[$0] ?? held.annotations[$0])?.article })
            .filter { !touched.contains($0) && held.articles[$0] == nil }
        if !articles.isEmpty {
            loaded.articles.merge(try EntityRows.load(articles, in: db).articles) { $1 }
            touched.formUnion(articles)
        }
        return loaded
    }

    /// Merges one change that is not yet held and is ready, through GlossCore's rules, onto
    /// `state`: the store's state at `state.clock`, holding any of the entities the change
    /// touches (a caller that already read some passes them; the rest are loaded here).
    static func applyNew(_ change: Change, chain: ChainHash, onto state: ReplicaState, in db: Database) throws {
        var touched = touchedEntities(of: change)
        var state = state
        var missing = touched.filter { state.articles[$0] == nil && state.annotations[$0] == nil }
        if !missing.isEmpty || change.placesAnchors {
            let loaded = try loadTouched(&missing, by: [change], alongside: state, in: db)
            touched.formUnion(missing)
            state.articles.merge(loaded.articles) { held, _ in held }
            state.annotations.merge(loaded.annotations) { held, _ in held }
        }
        let stored = state
        try state.apply(change)
        let ordinals = ReplicaOrdinals.Memo()
        try ChangeRows.insert(change, chain: chain, ordinals: ordinals, in: db)
        try EntityRows.save(touched, from: state, replacing: stored, ordinals: ordinals, in: db)
    }

    /// Replica `author` signed a history here and another in the batch that differ at or
    /// before its change `seq`.
    static func fork(of author: ReplicaID, at seq: UInt64) -> GlossStoreError {
        GlossStoreError(
            .equivocation,
            "replica \(author.hex) forked its history: its changes up to \(seq) in the batch differ from the ones held here; nothing was applied"
        )
    }

    static func missingPredecessors(of change: Change, blocked: Int, clock: VersionVector) -> GlossStoreError {
        let author = change.id.replica
        let (first, last) = (clock[author] + 1, change.id.seq - 1)
        let missing =
            first == last
            ? "change \(first) of replica \(author.hex)"
            : first < last ? "changes \(first)...\(last) of replica \(author.hex)" : "changes it depends on"
        return GlossStoreError(
            .missingPredecessors,
            "\(counted(blocked, "change")) need\(blocked == 1 ? "s" : "") \(missing), which this store lacks; apply an earlier bundle or sync first (nothing was applied)"
        )
    }
}

/// A fork `apply` found, with the proof when the store could make one; thrown out of the
/// transaction so it rolls back.
struct ForkFound: Error {
    let author: ReplicaID
    let seq: UInt64
    let evidence: ForkEvidence?

    init(author: ReplicaID, seq: UInt64, batch: SignedBatch, in db: Database) throws {
        self.author = author
        self.seq = seq
        evidence = try GlossStore.forkEvidence(in: batch, of: author, at: seq, in: db)
    }
}
