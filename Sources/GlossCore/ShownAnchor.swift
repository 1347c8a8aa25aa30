/// Where an annotation is shown in a revision of its article, and how sure that is: the
/// anchor it holds (`AnnotationState.heldAnchor(on:)`) carried by `Reanchoring` from the
/// revision it names to the one shown. Pure: every replica holding the same changes shows the
/// same.
public struct ShownAnchor: Hashable, Sendable {
    public let state: Reanchoring.State
    /// 1 for `exact` and `moved`, the quote's similarity for `fuzzy`, 0 for `orphaned`.
    public let score: Double
    /// Scalar offsets in the shown revision's text; nil for an orphan.
    public let range: Range<Int>?
    /// The revision shown.
    public let revision: EntityID
    /// The shown revision's text in `range` (the quote as it reads there); nil for an orphan.
    public let exact: String?
    /// The anchor the annotation holds, on the revision it names.
    public let held: Anchor
}

extension ShownAnchor {
    /// Where an annotation on an article that was never revised, and never placed by hand, is
    /// shown: as it was made (what `AnchorPlacer` finds too, without the article's text).
    public static func asMade(_ annotation: AnnotationState) -> ShownAnchor {
        let anchor = annotation.anchor
        return ShownAnchor(
            state: .exact, score: 1, range: Int(anchor.start)..<Int(anchor.end), revision: annotation.article, exact: anchor.exact,
            held: anchor)
    }
}

extension AnnotationState {
    /// The anchor the annotation holds: where a person last placed it (`anchor`'s provisional
    /// winner, `PlacedAnchor`), else the one it was made with.
    public func heldAnchor(on article: ArticleState) -> Anchor {
        guard let placed = value(of: .anchor).flatMap(PlacedAnchor.init), let anchor = placed.anchor(on: article) else { return anchor }
        return anchor
    }
}

/// Places the annotations of one article on one of its revisions, diffing each pair of
/// revisions once however many annotations cross it.
public struct AnchorPlacer: Sendable {
    public let article: ArticleState
    /// The revision annotations are shown on.
    public let revision: EntityID
    private var edits: [EntityID: Reanchoring.Edit] = [:]
    private let shownText: [Unicode.Scalar]

    /// On `revision`, by default the article's current one.
    public init(article: ArticleState, revision: EntityID? = nil) {
        self.article = article
        self.revision = revision ?? article.currentRevision
        shownText = Array((article.text(of: self.revision) ?? article.body).unicodeScalars)
    }

    private func shown(_ state: Reanchoring.State, _ score: Double, _ range: Range<Int>?, held: Anchor) -> ShownAnchor {
        let exact = range.flatMap { range in
            range.upperBound <= shownText.count ? String(String.UnicodeScalarView(shownText[range])) : nil
        }
        return ShownAnchor(state: state, score: score, range: range, revision: revision, exact: exact, held: held)
    }

    public mutating func place(_ annotation: AnnotationState) -> ShownAnchor {
        let held = annotation.heldAnchor(on: article)
        let from = held.revision ?? article.id
        guard from != revision else {
            return shown(.exact, 1, Int(held.start)..<Int(held.end), held: held)
        }
        guard let old = article.text(of: from), let new = article.text(of: revision) else {
            return shown(.orphaned, 0, nil, held: held)
        }
        let edit = edits[from] ?? Reanchoring.Edit(from: old, to: new)
        edits[from] = edit
        let result = edit.anchor(held)
        return shown(result.state, result.score, result.range, held: held)
    }
}
