/// The merged state of one article: its first text, its later revisions, its register fields
/// and its tags.
public struct ArticleState: Hashable, Sendable {
    public let id: EntityID
    /// The text the article was imported with: its first revision, whose id is the article's.
    public let body: String
    public var registers: [Field: MultiValueRegister]
    public var tags: AddWinsSet
    /// Later texts, by revision id (`ArticleText.id(of:)` of the text). Never removed.
    public var revisions: [EntityID: ArticleRevision]

    public init(
        id: EntityID, body: String, registers: [Field: MultiValueRegister] = [:], tags: AddWinsSet = AddWinsSet(),
        revisions: [EntityID: ArticleRevision] = [:]
    ) {
        self.id = id
        self.body = body
        self.registers = registers
        self.tags = tags
        self.revisions = revisions
    }
}

/// A later text of an article, with the change that first added it: of all the changes that
/// added the same text, the one with the lowest rank, then the lowest replica id. So it is the
/// same on every replica that holds them, whatever order they arrived in, and a revision whose
/// first adder had seen another comes after it. Only that adder's note is kept here; another
/// replica's note for the same text stays in the log.
public struct ArticleRevision: Hashable, Sendable {
    public let body: String
    public let note: String
    public let dot: Dot
    public let time: UInt64
    public let rank: UInt64

    public init(body: String, note: String, dot: Dot, time: UInt64, rank: UInt64) {
        self.body = body
        self.note = note
        self.dot = dot
        self.time = time
        self.rank = rank
    }

    /// Comes before `other` in the article's history.
    public func precedes(_ other: ArticleRevision) -> Bool {
        (rank, dot.replica, dot.seq) < (other.rank, other.dot.replica, other.dot.seq)
    }
}

extension ArticleState {
    /// The value shown for a field: the register's provisional winner, or nil if never written.
    public func value(of field: Field) -> String? { registers[field]?.winner?.value }

    /// Hidden from lists: the shown value of `archived` is not empty.
    public var isArchived: Bool { value(of: .archived)?.isEmpty == false }

    /// The text of one of the article's revisions (its own id names the first), if it holds it.
    public func text(of revision: EntityID) -> String? {
        revision == id ? body : revisions[revision]?.body
    }

    /// The revision shown: the provisional winner of `revision`, or the first text while the
    /// field was never written.
    public var currentRevision: EntityID {
        value(of: .revision).flatMap { ID128(hex: $0) }.flatMap { text(of: $0) == nil ? nil : $0 } ?? id
    }

    /// The text shown: that of `currentRevision`.
    public var currentBody: String { text(of: currentRevision) ?? body }

    /// Every revision id in the order of the article's history: the first text, then the later
    /// ones as `ArticleRevision.precedes` orders them. Revision N of `gloss show --revision N`
    /// is the Nth.
    public var revisionHistory: [EntityID] {
        [id] + revisions.sorted { $0.value.precedes($1.value) }.map(\.key)
    }
}
