/// Puts a set of changes into an order in which each can be applied, given what is held.
public enum CausalOrder {
    /// Changes already covered by `clock` are skipped. `ready` lists the rest in an applicable
    /// order; `blocked` holds those whose predecessors are neither held nor in the set.
    public static func arrange(_ changes: [Change], after clock: VersionVector) -> (ready: [Change], blocked: [Change]) {
        var pending: [Dot: Change] = [:]
        for change in changes where !clock.contains(change.id) { pending[change.id] = change }
        var clock = clock
        var ready: [Change] = []
        var progressed = true
        while progressed && !pending.isEmpty {
            progressed = false
            // Walk authors in a fixed order, taking each author's next changes while they are ready.
            for replica in Set(pending.keys.map(\.replica)).sorted() {
                while let next = pending[Dot(replica: replica, seq: clock[replica] + 1)], next.isReady(for: clock) {
                    ready.append(next)
                    clock[replica] = next.id.seq
                    pending[next.id] = nil
                    progressed = true
                }
            }
        }
        return (ready, pending.values.sorted { $0.id < $1.id })
    }
}
