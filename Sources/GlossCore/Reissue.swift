/// Writing a change again under another author: what a store restored from a backup, or copied,
/// does with the changes it wrote that its original never had (SPEC §4.10). The restored replica
/// takes a new id; each such change is re-issued under it, meaning the same, so nothing is lost
/// and nothing forked travels.
extension Change {
    /// This change's operations as change `dot`, with the causal context `dependencies`.
    ///
    /// An annotation it creates gets the id derived from `dot` (SPEC §4.1), since its old id
    /// belongs to the old dot, which the original replica may have used for something else.
    /// `renamed` maps old annotation ids to new ones: references to annotations an earlier
    /// re-issued change created follow them, and this change's creations are added.
    ///
    /// `dependencies` should be this change's own dependencies, plus the old author's history
    /// shared with the original: the re-issued change then supersedes exactly what the original
    /// change did, and stays concurrent with what the original replica wrote meanwhile.
    public func reissued(as dot: Dot, dependencies: VersionVector, renaming renamed: inout [EntityID: EntityID]) -> Change {
        func name(_ id: EntityID) -> EntityID { renamed[id] ?? id }
        var operations: [Operation] = []
        for (index, operation) in self.operations.enumerated() {
            switch operation {
            case .createArticle, .addRevision:
                operations.append(operation)
            case .createAnnotation(let id, let article, let anchor):
                let new = ID128.annotation(createdAt: dot, index: index)
                renamed[id] = new
                operations.append(.createAnnotation(id: new, article: article, anchor: anchor))
            case .set(let entity, let field, let value):
                operations.append(.set(entity: name(entity), field: field, value: value))
            case .addTag(let entity, let tag):
                operations.append(.addTag(entity: name(entity), tag: tag))
            case .removeTag(let entity, let tag):
                operations.append(.removeTag(entity: name(entity), tag: tag))
            case .deleteAnnotation(let id):
                operations.append(.deleteAnnotation(id: name(id)))
            case .keepAnnotation(let id):
                operations.append(.keepAnnotation(id: name(id)))
            }
        }
        return Change(id: dot, dependencies: dependencies, time: time, operations: operations)
    }
}
