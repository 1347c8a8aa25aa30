import Foundation
import GRDB
import GlossCore

/// What `apply` did with a batch of changes.
public struct ApplyReport: Hashable, Sendable {
    /// Changes new to this store, now applied.
    public var applied: Int = 0
    /// Changes it held already (identical ones: re-delivery is a no-op).
    public var alreadyHeld: Int = 0
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
                let change = Change(id: dot, dependencies: clock, time: time, operations: operations)
                try Self.applyNew(change, onto: state, in: db)
                return change
            }
        } catch let error as GlossCoreError {
            throw GlossStoreError(refusing: error)
        } catch let error as DatabaseError {
            throw GlossStoreError(.notWritable, "the store at \(path) failed: \(Self.describe(error))")
        }
    }

    /// Applies changes from a peer or a bundle, all or none, in one transaction. Changes may
    /// come in any order and more than once; they are applied in causal order. Refused whole
    /// (nothing applied) when one needs predecessors that are neither held nor in the batch,
    /// breaks the model's rules, or has the dot of a held change but other content.
    ///
    /// `from`, when given, is the device that sent the changes: they are applied only if its
    /// role is read-write, checked in the same transaction, so a revoke that commits first
    /// always wins (`.notPermitted` for a read-only device, `.notTrusted` for any other).
    @discardableResult
    public func apply(_ changes: [Change], from device: ReplicaID? = nil) throws(GlossStoreError) -> ApplyReport {
        try access {
            try database.write { db in
                if let device { try Self.requireReadWrite(device, in: db) }
                var clock = try ChangeRows.clock(in: db)
                var report = ApplyReport()
                var seen: [Dot: Change] = [:]
                for change in changes {
                    if let earlier = seen[change.id], earlier != change { throw Self.equivocation(change.id) }
                    seen[change.id] = change
                    if clock.contains(change.id) {
                        guard try ChangeRows.fetchOne(change.id, in: db) == change else { throw Self.equivocation(change.id) }
                        report.alreadyHeld += 1
                    }
                }
                let (ready, blocked) = CausalOrder.arrange(Array(seen.values), after: clock)
                if let first = blocked.first { throw Self.missingPredecessors(of: first, blocked: blocked.count, clock: clock) }
                for change in ready {
                    try Self.applyNew(change, onto: ReplicaState(clock: clock), in: db)
                    clock[change.id.replica] = change.id.seq
                    report.applied += 1
                }
                return report
            }
        }
    }

    /// Merges one change that is not yet held and is ready, through GlossCore's rules, onto
    /// `state`: the store's state at `state.clock`, holding any of the entities the change
    /// touches (a caller that already read some passes them; the rest are loaded here).
    static func applyNew(_ change: Change, onto state: ReplicaState, in db: Database) throws {
        var touched: Set<EntityID> = []
        for operation in change.operations {
            touched.insert(operation.entity)
            if case .createAnnotation(_, let article, _) = operation { touched.insert(article) }
        }
        var state = state
        let missing = touched.filter { state.articles[$0] == nil && state.annotations[$0] == nil }
        if !missing.isEmpty {
            let loaded = try EntityRows.load(missing, in: db)
            state.articles.merge(loaded.articles) { held, _ in held }
            state.annotations.merge(loaded.annotations) { held, _ in held }
        }
        try state.apply(change)
        try ChangeRows.insert(change, in: db)
        try EntityRows.save(touched, from: state, in: db)
    }

    static func equivocation(_ dot: Dot) -> GlossStoreError {
        GlossStoreError(
            .equivocation,
            "replica \(dot.replica.hex) sent two different changes numbered \(dot.seq); the second was refused and nothing was applied")
    }

    static func missingPredecessors(of change: Change, blocked: Int, clock: VersionVector) -> GlossStoreError {
        let author = change.id.replica
        let missing =
            clock[author] + 1 < change.id.seq
            ? "changes \(clock[author] + 1)...\(change.id.seq - 1) of replica \(author.hex)"
            : "changes it depends on"
        return GlossStoreError(
            .missingPredecessors,
            "\(blocked) change(s) need \(missing), which this store lacks; apply an earlier bundle or sync first (nothing was applied)")
    }
}
