/// The entity an intent acts on, whichever kind it is: what intents read of it, and the checks
/// they share.
struct IntentTarget {
    let id: EntityID
    let kind: EntityKind
    let registers: [Field: MultiValueRegister]
    let tags: AddWinsSet
    /// An annotation's presence; nil for an article, which always exists once created.
    let presence: PresenceRegister?

    init(_ id: EntityID, in state: ReplicaState) throws(IntentError) {
        if let article = state.articles[id] {
            (kind, registers, tags, presence) = (.article, article.registers, article.tags, nil)
        } else if let annotation = state.annotations[id] {
            (kind, registers, tags, presence) = (.annotation, annotation.registers, annotation.tags, annotation.presence)
        } else {
            throw IntentError(.noSuchEntity, "no article or annotation \(id.hex)")
        }
        self.id = id
    }

    func register(_ field: Field) -> MultiValueRegister { registers[field] ?? MultiValueRegister() }

    /// The presence of the annotation an intent to `verb` it acts on; an article has none.
    func annotationPresence(toBe verb: String) throws(IntentError) -> PresenceRegister {
        guard let presence else { throw IntentError(.wrongKind, "only annotations can be \(verb), and \(id.hex) is an article") }
        return presence
    }

    /// Throws if the target is an annotation that is deleted.
    func requireAlive() throws(IntentError) {
        if presence?.isAlive == false { throw IntentError(.deleted, "annotation \(id.hex) is deleted") }
    }

    func require(_ field: Field) throws(IntentError) {
        guard field.entityKind == kind else {
            throw IntentError(
                .wrongKind, "the \(field.rawValue) applies to \(field.entityKind.rawValue)s, and \(id.hex) is an \(kind.rawValue)")
        }
    }

    /// True when writing `value` to `field` would change nothing any replica could observe: the
    /// field holds exactly `value` with no concurrent value beside it, and (for an annotation)
    /// its presence is settled alive, so the write would supersede only what it rewrites.
    func alreadyHoldsOnly(_ value: String, in field: Field) -> Bool {
        register(field).holdsOnly(value) && (presence?.isSettledAlive ?? true)
    }
}

extension MultiValueRegister {
    /// Exactly one live value, byte-equal to `value`: no concurrent value exists.
    public func holdsOnly(_ value: String) -> Bool {
        values.count == 1 && values[0].value.isByteEqual(to: value)
    }
}

extension PresenceRegister {
    /// One live mark, and it is alive: no delete or concurrent edit is waiting to be settled.
    public var isSettledAlive: Bool { entries.count == 1 && entries[0].mark == .alive }
}

/// Tags as a person gives them: each must have some text, and each counts once (compared by
/// bytes), in byte order so the operations are the same wherever the intent is carried out.
enum IntentTags {
    static func distinct(_ tags: [String]) throws(IntentError) -> [String] {
        if tags.contains(where: { $0.allSatisfy(\.isWhitespace) }) { throw IntentError(.badTag, "tags need some text in them") }
        return Set(tags.map(ExactText.init)).sorted().map(\.string)
    }
}
