/// What a person asked for, before it is a change: "set this note", "add this tag", "keep the
/// second value". Every front end (the command line, a library user, a test) states an intent,
/// and GlossCore alone decides which operations carry it out, so every front end follows the
/// same rules and the property tests check those rules.
///
/// `operations(on:as:history:)` is a pure function of the state the change will supersede: the
/// store calls it inside the write transaction that records the change, so what it reads is
/// exactly what the change's causal context says its author saw.
///
///     let intent = EditIntent(target: id, fields: [.note: "HUR only source"], addTags: ["verify"])
///     let operations = try intent.operations(on: state, as: dot)
///
/// An intent that would change nothing returns no operations, and no change is recorded. Only
/// the skips listed in SPEC §4.11 are allowed, each because no concurrent change could observe
/// the difference: an explicit tag add, for one, is never skipped, even for a tag that is
/// already there, since a concurrent remove would otherwise win over it.
public protocol Intent: Sendable {
    /// The entities whose merged state the intent reads (the store loads just these).
    var reads: Set<EntityID> { get }
    /// The entity whose change history the intent reads, if any (only a text merge does).
    var readsHistory: EntityID? { get }
    /// The operations of the change that carries out the intent as change `dot` on `state`,
    /// which holds at least the entities in `reads`. `history` holds the changes that touched
    /// `readsHistory`, newest first (empty when it is nil). Empty when there is nothing to do.
    func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation]
}

extension Intent {
    public var readsHistory: EntityID? { nil }

    /// The operations of an intent that reads no history.
    public func operations(on state: ReplicaState, as dot: Dot) throws(IntentError) -> [Operation] {
        try operations(on: state, as: dot, history: [])
    }
}

extension ReplicaState {
    /// The change that carries out `intent` as `replica`'s next change, or nil when the intent
    /// changes nothing. The change is not applied.
    ///
    ///     if let change = try state.change(carrying: intent, by: me, time: now) { try state.apply(change) }
    public func change(carrying intent: some Intent, by replica: ReplicaID, time: UInt64, history: [Change] = []) throws(IntentError)
        -> Change?
    {
        let dot = Dot(replica: replica, seq: clock[replica] + 1)
        let operations = try intent.operations(on: self, as: dot, history: history)
        guard !operations.isEmpty else { return nil }
        return Change(id: dot, dependencies: clock, time: time, operations: operations)
    }
}
