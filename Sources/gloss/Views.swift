import GlossCore

/// An article as `gloss articles --json` prints it. `conflicts` names its fields in conflict.
struct ArticleSummary: Encodable {
    let id: String
    let title: String
    let source: OrNull<String>
    let tags: [String]
    let annotations: Int
    let archived: Bool
    let conflicts: [String]

    init(_ article: ArticleState, liveAnnotations: Int) {
        id = article.id.hex
        title = article.value(of: .title) ?? ""
        source = OrNull(article.value(of: .source))
        tags = article.tags.elements
        annotations = liveAnnotations
        archived = article.isArchived
        conflicts = article.fieldsInConflict
    }
}

extension ArticleState {
    /// The names of the fields with concurrent values, sorted.
    var fieldsInConflict: [String] { registers.filter { $0.value.isInConflict }.map(\.key.rawValue).sorted() }
}

/// An annotation as `gloss annotations --json` prints it. `conflicts` names the fields in
/// conflict (`deleted` for a delete-vs-edit conflict). `exact`, `prefix`, `suffix`, `start`,
/// `end` and `revision` are the anchor it holds, on the revision it names; `anchor` is where it
/// is shown in the revision shown (`ShownAnchor`): the current one, unless `show --revision`.
struct AnnotationSummary: Encodable {
    let id: String
    let article: String
    let exact: String
    let prefix: String
    let suffix: String
    let start: UInt64
    let end: UInt64
    let revision: String
    let anchor: ShownAnchorJSON
    let note: OrNull<String>
    let color: OrNull<String>
    let tags: [String]
    let conflicts: [String]

    init(_ annotation: AnnotationState, shown: ShownAnchor) {
        id = annotation.id.hex
        article = annotation.article.hex
        exact = shown.held.exact
        prefix = shown.held.prefix
        suffix = shown.held.suffix
        start = shown.held.start
        end = shown.held.end
        revision = (shown.held.revision ?? annotation.article).hex
        anchor = ShownAnchorJSON(shown)
        note = OrNull(annotation.value(of: .note))
        color = OrNull(annotation.shownColor)
        tags = annotation.tags.elements
        var conflicts = annotation.registers.filter { $0.value.isInConflict }.map(\.key.rawValue).sorted()
        if annotation.presence.isInConflict { conflicts.append(Conflict.deletedField) }
        self.conflicts = conflicts
    }
}

/// `anchor` in the JSON of an annotation: `state` (exact, moved, fuzzy, orphaned), `score`
/// (1 for exact and moved, the similarity for fuzzy, 0 for orphaned), `start`, `end` and
/// `exact` (the passage as it reads there) in the shown revision (null for an orphan), and that
/// revision's id.
struct ShownAnchorJSON: Encodable {
    let state: String
    let score: Double
    let start: OrNull<Int>
    let end: OrNull<Int>
    let exact: OrNull<String>
    let revision: String

    init(_ shown: ShownAnchor) {
        state = shown.state.rawValue
        // Two decimals, as shown: a score is a rough similarity, and 0.8333333333 says no more.
        score = (shown.score * 100).rounded() / 100
        start = OrNull(shown.range?.lowerBound)
        end = OrNull(shown.range?.upperBound)
        exact = OrNull(shown.exact)
        revision = shown.revision.hex
    }
}

extension ShownAnchor {
    /// How a list marks the anchor beside the quote: nothing when exact; for a changed quote,
    /// what it reads now.
    var marker: String? {
        switch state {
        case .exact: nil
        case .moved: "[moved]"
        case .fuzzy: "[fuzzy \(String(format: "%.2f", score)), now \"\(Terminal.excerpt(exact ?? "", limit: 60))\"]"
        case .orphaned: "[orphaned]"
        }
    }
}

/// The full article for `gloss show --json`.
struct ArticleDetail: Encodable {
    let id: String
    let title: String
    let source: OrNull<String>
    let tags: [String]
    /// The text of `revision`, the revision shown.
    let body: String
    let revision: String
    /// Which revision that is, counting from 1 (the first text), and how many there are.
    let revisionNumber: Int
    let revisions: Int
    let archived: Bool
    let conflicts: [String]
    let annotations: [AnnotationSummary]

    enum CodingKeys: String, CodingKey {
        case id, title, source, tags, body, revision, revisions, archived, conflicts, annotations
        case revisionNumber = "revision_number"
    }
}

extension AnnotationState {
    /// Every value of the note that says something (more than one while in conflict).
    var notes: [String] { registers[.note]?.values.map(\.value).filter { !$0.isEmpty } ?? [] }

    /// The color shown, nil when there is none (an empty value: the color was removed).
    var shownColor: String? { value(of: .color).flatMap { $0.isEmpty ? nil : $0 } }
}

extension ReplicaState {
    /// Annotations that exist (not deleted), in reading order of the anchors they hold.
    func liveAnnotations(of article: EntityID? = nil, tag: String? = nil) -> [AnnotationState] {
        annotations.values
            .filter { $0.presence.isAlive && (article == nil || $0.article == article) && (tag == nil || $0.tags.contains(tag!)) }
            .sorted { ($0.article, $0.anchor.start, $0.anchor.end, $0.id) < ($1.article, $1.anchor.start, $1.anchor.end, $1.id) }
    }
}

/// How a replica is named in text output: its name where known, else its full id.
struct ReplicaNaming {
    let names: [ReplicaID: String]
    let own: ReplicaID

    func name(_ replica: ReplicaID) -> String {
        let base = names[replica].map { "\(Terminal.singleLine($0)) (\(replica.hex))" } ?? replica.hex
        return replica == own ? base + " (this replica)" : base
    }
}
