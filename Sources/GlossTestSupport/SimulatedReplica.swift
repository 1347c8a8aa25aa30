import GlossCore

/// A replica for randomized tests: a `ReplicaState` plus every change it holds, making random
/// local edits of the kinds people make (including the racy ones: concurrent edits of one
/// field, deletes against edits, tag add/remove races).
public struct SimulatedReplica: Sendable {
    public let id: ReplicaID
    public private(set) var state = ReplicaState()
    /// Every change held, in the order applied: a causal order.
    public private(set) var log: [Change] = []
    private var tick: UInt64 = 0

    public init(id: ReplicaID) { self.id = id }

    /// Replica `number`, whose id is that of the test key `TestKeys.key(number)`, so its changes
    /// can be signed (`TestKeys.sign`).
    public init(number: UInt64) {
        self.init(id: TestKeys.replicaID(number))
    }

    /// Applies changes from a peer in any order, skipping those already held and holding back
    /// those whose predecessors have not arrived. Returns how many were applied.
    @discardableResult
    public mutating func receive(_ changes: [Change]) throws -> Int {
        let (ready, _) = CausalOrder.arrange(changes, after: state.clock)
        for change in ready where try state.apply(change) { log.append(change) }
        return ready.count
    }

    /// Makes one random local change; returns it, or nil when nothing sensible could be done.
    @discardableResult
    public mutating func editRandomly(using random: inout SplitMix64) throws -> Change? {
        let dot = Dot(replica: id, seq: state.clock[id] + 1)
        guard let operations = randomOperations(at: dot, using: &random), !operations.isEmpty else { return nil }
        tick += 1
        let change = Change(id: dot, dependencies: state.clock, time: tick, operations: operations)
        try state.apply(change)
        log.append(change)
        return change
    }

    /// Carries out `intent` as a person on this replica would: decided by GlossCore from this
    /// replica's state (and, for a text merge, its history), then applied. Nil when the intent
    /// changes nothing.
    @discardableResult
    public mutating func perform(_ intent: some Intent) throws -> Change? {
        let history = intent.readsHistory.map { entity in log.reversed().filter { $0.touches(entity) } } ?? []
        guard let change = try state.change(carrying: intent, by: id, time: tick + 1, history: history) else { return nil }
        tick += 1
        try state.apply(change)
        log.append(change)
        return change
    }

    private func randomOperations(at dot: Dot, using random: inout SplitMix64) -> [Operation]? {
        RandomEdits.operations(on: state, at: dot, using: &random)
    }

}

extension Change {
    /// True when an operation of the change names `entity` (as its target, or as the article
    /// a new annotation quotes): what the store's history of an entity holds.
    public func touches(_ entity: EntityID) -> Bool {
        operations.contains { operation in
            if case .createAnnotation(_, let article, _) = operation, article == entity { return true }
            return operation.entity == entity
        }
    }
}
