import Foundation
import GlossCore
import GlossTestSupport
import Testing

/// What people ask for survives concurrency: over seeded schedules of random intents on 2–5
/// replicas, with any delivery order, every replica converges, and each intent is visible at the
/// end or was overruled only by a change that had seen it (or, for a remove or a delete, by a
/// concurrent add or edit, which win by rule). An intent lost in any other way is lost silently.
///
/// CI runs 2,000 schedules; `GLOSS_INTENT_SCHEDULES=100000 swift test --filter IntentPropertyTests`
/// runs a nightly-sized batch. A failure names its seed: `IntentSchedule(seed:)` replays it.
@Suite struct IntentPropertyTests {
    static let batches = 40
    static let schedulesPerBatch = max(
        1, (ProcessInfo.processInfo.environment["GLOSS_INTENT_SCHEDULES"].flatMap(Int.init) ?? 2_000) / batches)

    static func seeds(ofBatch batch: Int) -> Range<UInt64> {
        let first = UInt64(batch * schedulesPerBatch) + 70_000
        return first..<first + UInt64(schedulesPerBatch)
    }

    @Test(arguments: 0..<batches)
    func intentsSurviveEveryDeliveryOrder(batch: Int) throws {
        for seed in Self.seeds(ofBatch: batch) {
            let schedule = try IntentSchedule(seed: seed)
            let final = try Self.converged(schedule)
            let checker = IntentChecker(final: final, history: schedule.history)
            for performed in schedule.performed {
                for failure in checker.failures(of: performed) {
                    Issue.record("seed \(seed): \(failure) (intent \(performed.intent) on \(performed.replica.hex))")
                }
            }
        }
    }

    /// Every replica holds the same state, the one any causal order of the history gives.
    static func converged(_ schedule: IntentSchedule) throws -> ReplicaState {
        let first = schedule.replicas[0].state
        for replica in schedule.replicas.dropFirst() {
            #expect(replica.state == first, "seed \(schedule.seed): replica \(replica.id.hex) differs")
            #expect(StateDigest.of(replica.state) == StateDigest.of(first), "seed \(schedule.seed)")
        }
        #expect(first.clock.total == UInt64(schedule.history.count), "seed \(schedule.seed): some change was never delivered")
        return first
    }

    /// Guards the property against a generator too tame to test it: the schedules must hold
    /// adds of tags already present racing removes, skipped writes, deletes against edits and
    /// every kind of resolution.
    @Test func schedulesRaceTheCasesThatMatter() throws {
        var racedAdds = 0
        var skipped = 0
        var resolutions = 0
        var deleteConflicts = 0
        for seed in Self.seeds(ofBatch: 0) {
            let schedule = try IntentSchedule(seed: seed)
            let history = schedule.history
            for performed in schedule.performed {
                if performed.change == nil { skipped += 1 }
                if performed.intent is ResolveIntent, performed.change != nil { resolutions += 1 }
                guard let edit = performed.intent as? EditIntent, let change = performed.change else { continue }
                let tags = IntentChecker.tags(of: edit.target, in: performed.before)
                for tag in edit.addTags where tags.contains(tag) {
                    let raced = history.contains { other in
                        !other.covers(change.id) && !change.covers(other.id)
                            && other.operations.contains(.removeTag(entity: edit.target, tag: tag))
                    }
                    if raced { racedAdds += 1 }
                }
            }
            deleteConflicts +=
                history.filter { change in
                    change.operations.contains { if case .keepAnnotation = $0 { true } else { false } }
                }.count
        }
        #expect(racedAdds > 0, "no add of a present tag raced a remove")
        #expect(skipped > 0, "no intent was skipped")
        #expect(resolutions > 0)
        #expect(deleteConflicts > 0, "no delete-vs-edit conflict was kept")
    }
}
