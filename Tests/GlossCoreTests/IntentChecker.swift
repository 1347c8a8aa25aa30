import GlossCore

/// Judges one performed intent against the converged state and the whole history: is what the
/// person asked for visible, or overruled only as the merge rules say it may be?
///
/// "Saw the intent" means covering the dot that embodies it: the dot of its change or, for a
/// write GlossCore skipped because the field already held exactly that value alone, the dot of
/// that value (the overruling change saw exactly the value asked for).
struct IntentChecker {
    let final: ReplicaState
    let history: [Change]

    func failures(of performed: IntentSchedule.Performed) -> [String] {
        switch performed.intent {
        case let edit as EditIntent: editFailures(edit, performed)
        case let annotate as AnnotateIntent: annotateFailures(annotate, performed)
        case let importing as ImportIntent: importFailures(importing, performed)
        case let delete as DeleteIntent: deleteFailures(delete, performed)
        case let resolve as ResolveIntent: resolveFailures(resolve, performed)
        case let revise as ReviseIntent: reviseFailures(revise, performed)
        case let reanchor as ReanchorIntent: structuredWriteFailures(reanchor.annotation, .anchor, performed)
        default: ["unknown intent"]
        }
    }

    // MARK: - Per intent

    private func editFailures(_ edit: EditIntent, _ performed: IntentSchedule.Performed) -> [String] {
        var failures: [String] = []
        for (field, value) in edit.fields {
            failures += write(value, to: field, of: edit.target, performed)
        }
        for tag in edit.addTags { failures += added(tag, to: edit.target, by: performed.dot) }
        for tag in edit.removeTags { failures += removed(tag, from: edit.target, by: performed.change) }
        if performed.before.annotations[edit.target] != nil {
            failures += keptAlive(edit.target, by: performed.change?.id ?? Self.aliveDot(edit.target, in: performed.before))
        }
        return failures
    }

    private func annotateFailures(_ annotate: AnnotateIntent, _ performed: IntentSchedule.Performed) -> [String] {
        guard let change = performed.change else { return ["an annotation was asked for and no change made"] }
        let id = AnnotateIntent.annotationID(createdBy: change.id)
        guard final.annotations[id] != nil else { return ["annotation \(id.hex) is missing"] }
        var failures = keptAlive(id, by: change.id)
        if let note = annotate.note { failures += write(note, to: .note, of: id, performed) }
        if let color = annotate.color { failures += write(color, to: .color, of: id, performed) }
        for tag in annotate.tags { failures += added(tag, to: id, by: change.id) }
        return failures
    }

    private func importFailures(_ importing: ImportIntent, _ performed: IntentSchedule.Performed) -> [String] {
        var failures: [String] = []
        for id in Set(importing.articles.map(\.id)) {
            guard final.articles[id] != nil else {
                failures.append("article \(id.hex) is missing")
                continue
            }
            if let title = importing.title { failures += write(title, to: .title, of: id, performed) }
            if let source = importing.source { failures += write(source, to: .source, of: id, performed) }
            for tag in importing.tags { failures += added(tag, to: id, by: performed.dot) }
        }
        return failures
    }

    /// The text is held for good, and the revision written is current unless overruled as a
    /// write may be (a skipped write had nothing to supersede but its own value).
    private func reviseFailures(_ revise: ReviseIntent, _ performed: IntentSchedule.Performed) -> [String] {
        guard final.articles[revise.article]?.text(of: revise.revision) != nil else {
            return ["revision \(revise.revision.hex) of \(revise.article.hex) is missing"]
        }
        return structuredWriteFailures(revise.article, .revision, performed)
    }

    /// What the change wrote to `field` is visible or overruled only by a change that saw it.
    private func structuredWriteFailures(_ entity: EntityID, _ field: Field, _ performed: IntentSchedule.Performed) -> [String] {
        let written = performed.change?.operations.compactMap { operation -> String? in
            guard case .set(entity, field, let value) = operation else { return nil }
            return value
        }.first
        guard let written else { return [] }
        return write(written, to: field, of: entity, performed)
    }

    private func deleteFailures(_ delete: DeleteIntent, _ performed: IntentSchedule.Performed) -> [String] {
        guard let change = performed.change else { return ["a delete made no change"] }
        guard final.annotations[delete.annotation]?.presence.isAlive == true else { return [] }
        // Alive only by an edit (or keep) the delete had not seen.
        let unseen = history.contains { other in
            other.id != change.id && !change.covers(other.id) && Self.writesAlive(other, delete.annotation)
        }
        return unseen ? [] : ["annotation \(delete.annotation.hex) is alive though its delete saw every edit"]
    }

    private func resolveFailures(_ resolve: ResolveIntent, _ performed: IntentSchedule.Performed) -> [String] {
        guard let change = performed.change, let operation = change.operations.first else { return ["a resolution made no change"] }
        switch operation {
        case .set(_, let field, let value): return write(value, to: field, of: resolve.target, performed)
        case .keepAnnotation: return keptAlive(resolve.target, by: change.id)
        case .deleteAnnotation: return deleteFailures(DeleteIntent(annotation: resolve.target), performed)
        default: return ["a resolution wrote \(operation)"]
        }
    }

    // MARK: - The properties

    /// A tag explicitly added is present, unless a remove that saw the add took it.
    private func added(_ tag: String, to entity: EntityID, by dot: Dot) -> [String] {
        if Self.tags(of: entity, in: final).contains(tag) { return [] }
        let seenRemove = history.contains { $0.covers(dot) && $0.operations.contains(.removeTag(entity: entity, tag: tag)) }
        return seenRemove ? [] : ["tag '\(tag)' added to \(entity.hex) at \(dot) is gone, and no remove saw the add"]
    }

    /// A tag explicitly removed is absent, unless an add the remove had not seen keeps it.
    private func removed(_ tag: String, from entity: EntityID, by change: Change?) -> [String] {
        guard let change else { return ["a remove of '\(tag)' made no change"] }
        guard Self.tags(of: entity, in: final).contains(tag) else { return [] }
        let unseenAdd = history.contains { other in
            other.id != change.id && !change.covers(other.id) && other.operations.contains(.addTag(entity: entity, tag: tag))
        }
        return unseenAdd ? [] : ["tag '\(tag)' removed from \(entity.hex) at \(change.id) is back, and no unseen add explains it"]
    }

    /// A value written is among the field's live values (shown, or beside others as a
    /// conflict), unless a write that saw it replaced it.
    private func write(_ value: String, to field: Field, of entity: EntityID, _ performed: IntentSchedule.Performed) -> [String] {
        let written = performed.change?.operations.contains { operation in
            if case .set(entity, field, _) = operation { return true } else { return false }
        }
        let embodying: Dot
        if written == true, let change = performed.change {
            embodying = change.id
        } else {
            let before = Self.register(field, of: entity, in: performed.before)
            guard before.holdsOnly(value) else {
                return ["\(field) '\(value)' of \(entity.hex) was skipped though the field did not hold it alone"]
            }
            embodying = before.values[0].dot
        }
        let register = Self.register(field, of: entity, in: final)
        if let live = register.values.first(where: { $0.dot == embodying }) {
            let shown = register.winner?.value.isByteEqual(to: live.value) == true
            return shown || register.isInConflict ? [] : ["\(field) of \(entity.hex) holds \(embodying) unseen and unflagged"]
        }
        let overwritten = history.contains { change in
            change.covers(embodying) && change.operations.contains { if case .set(entity, field, _) = $0 { true } else { false } }
        }
        return overwritten ? [] : ["\(field) '\(value)' of \(entity.hex) written at \(embodying) is gone, and no write saw it"]
    }

    /// An annotation an intent kept alive (by editing, creating or keeping it) is alive, unless
    /// a delete that saw that mark removed it.
    private func keptAlive(_ annotation: EntityID, by dot: Dot?) -> [String] {
        guard let dot, final.annotations[annotation]?.presence.isAlive != true else { return [] }
        let seenDelete = history.contains { $0.covers(dot) && $0.operations.contains(.deleteAnnotation(id: annotation)) }
        return seenDelete ? [] : ["annotation \(annotation.hex), kept alive at \(dot), is deleted by no delete that saw it"]
    }

    // MARK: - Reading states and changes

    static func tags(of entity: EntityID, in state: ReplicaState) -> AddWinsSet {
        state.articles[entity]?.tags ?? state.annotations[entity]?.tags ?? AddWinsSet()
    }

    static func register(_ field: Field, of entity: EntityID, in state: ReplicaState) -> MultiValueRegister {
        (state.articles[entity]?.registers[field] ?? state.annotations[entity]?.registers[field]) ?? MultiValueRegister()
    }

    /// The single alive mark of an annotation an edit left untouched.
    static func aliveDot(_ annotation: EntityID, in state: ReplicaState) -> Dot? {
        guard let presence = state.annotations[annotation]?.presence, presence.isSettledAlive else { return nil }
        return presence.entries[0].dot
    }

    static func writesAlive(_ change: Change, _ annotation: EntityID) -> Bool {
        change.operations.contains { operation in
            operation.entity == annotation && operation != .deleteAnnotation(id: annotation)
        }
    }
}
