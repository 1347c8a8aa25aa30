/// Brings back a deleted annotation: an alive mark (`keepAnnotation`) that supersedes the
/// delete marks this replica has seen, as any later write does (SPEC §4.9). A delete made
/// elsewhere meanwhile, which the restore has not seen, leaves a delete-vs-edit conflict like
/// any concurrent delete. Refused for an annotation that is not deleted.
public struct RestoreIntent: Intent, Hashable {
    public let annotation: EntityID

    public init(annotation: EntityID) { self.annotation = annotation }

    public var reads: Set<EntityID> { [annotation] }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        let presence = try IntentTarget(annotation, in: state).annotationPresence(toBe: "restored")
        guard !presence.isAlive else { throw IntentError(.contradictory, "annotation \(annotation.hex) is not deleted") }
        return [.keepAnnotation(id: annotation)]
    }
}
