/// Deletes an annotation as this replica has seen it: an edit made elsewhere meanwhile keeps it
/// alive, in a delete-vs-edit conflict. Never skipped; refused for an annotation already gone.
/// Deleting one that is in a delete-vs-edit conflict settles the conflict by removing it.
public struct DeleteIntent: Intent, Hashable {
    public let annotation: EntityID

    public init(annotation: EntityID) { self.annotation = annotation }

    public var reads: Set<EntityID> { [annotation] }

    public func operations(on state: ReplicaState, as dot: Dot, history: [Change]) throws(IntentError) -> [Operation] {
        let presence = try IntentTarget(annotation, in: state).annotationPresence(toBe: "deleted")
        guard presence.isAlive else { throw IntentError(.deleted, "annotation \(annotation.hex) is already deleted") }
        return [.deleteAnnotation(id: annotation)]
    }
}
