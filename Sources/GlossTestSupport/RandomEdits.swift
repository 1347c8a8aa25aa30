import GlossCore

/// Random local edits of the kinds people make, the racy ones included: concurrent writes of
/// one field, deletes against edits, tag add/remove races, resolutions, and text that differs
/// only in Unicode normalization. Shared by every randomized test.
public enum RandomEdits {
    public static let texts = [
        "Some 8,000 North Korean troops have been deployed to Russia's Kursk Oblast, Blinken said.",
        "The first soldiers were deployed to Kursk Oblast in late October, according to HUR.",
        "Zürich council votes on the \u{1F4F0} budget; the mayor said \"soon\" twice: soon.",
    ]
    public static let values = ["urgent", "check source", "verified", "", "follow up\nwith desk", "ok", "e\u{301}", "\u{E9}"]
    public static let colors = ["yellow", "green", "blue"]
    public static let tags = ["politics", "todo", "europe", "quote"]

    /// Later texts of an article, as corrections make them: a sentence added, the opening cut,
    /// a word changed. Two replicas revising one article often pick the same one: one revision.
    public static func revisions(of body: String) -> [String] {
        let changed = body.replacing("the", with: "a", maxReplacements: 1)
        return [body + " (Updated.)", String(body.dropFirst(4)), changed == body ? body + " Corrected." : changed]
    }

    /// The operations of one random change by the replica holding `state`, which will be
    /// change `dot`; nil when nothing sensible can be done from this state.
    public static func operations(on state: ReplicaState, at dot: Dot, using random: inout some RandomNumberGenerator) -> [Operation]? {
        let articles = state.articles.keys.sorted()
        let alive = state.annotations.values.filter(\.presence.isAlive).map(\.id).sorted()
        func pick(_ choices: [String]) -> String { choices[Int.random(in: 0..<choices.count, using: &random)] }
        switch Int.random(in: 0..<12, using: &random) {
        case 0:
            let body = pick(texts)
            let id = ArticleText.id(of: body)
            return [.createArticle(id: id, body: body), .set(entity: id, field: .title, value: pick(values))]
        case 1, 2:
            // On the revision shown, as a person annotates.
            guard let articleID = articles.randomElement(using: &random), let article = state.articles[articleID] else { return nil }
            let scalars = Array(article.currentBody.unicodeScalars)
            let start = Int.random(in: 0..<scalars.count - 1, using: &random)
            let end = start + 1 + Int.random(in: 0..<min(12, scalars.count - start), using: &random)
            let quote = String(String.UnicodeScalarView(scalars[start..<end]))
            let revision = article.currentRevision
            let anchor = Anchor(
                exact: quote, prefix: "", suffix: "", start: UInt64(start), end: UInt64(end),
                revision: revision == articleID ? nil : revision)
            let id = ID128.annotation(createdAt: dot, index: 0)
            return [.createAnnotation(id: id, article: articleID, anchor: anchor), .set(entity: id, field: .note, value: pick(values))]
        case 3, 4:
            guard let id = alive.randomElement(using: &random) else { return nil }
            return [.set(entity: id, field: Bool.random(using: &random) ? .note : .color, value: pick(values + colors))]
        case 5:
            guard let id = articles.randomElement(using: &random) else { return nil }
            return [.set(entity: id, field: [Field.title, .source, .archived][Int.random(in: 0..<3, using: &random)], value: pick(values))]
        case 6:
            guard let id = (alive + articles).randomElement(using: &random) else { return nil }
            let tag = pick(tags)
            return [Int.random(in: 0..<10, using: &random) < 6 ? .addTag(entity: id, tag: tag) : .removeTag(entity: id, tag: tag)]
        case 7:
            guard let id = alive.randomElement(using: &random) else { return nil }
            return [.deleteAnnotation(id: id)]
        case 8:
            // A revision: a text perhaps held already, perhaps back to the first one.
            guard let id = articles.randomElement(using: &random), let article = state.articles[id] else { return nil }
            let text = pick([article.body] + revisions(of: article.body))
            let revision = ArticleText.id(of: text)
            var operations: [Operation] = []
            if article.text(of: revision) == nil {
                operations.append(.addRevision(article: id, revision: revision, note: pick(values), body: text))
            }
            return operations + [.set(entity: id, field: .revision, value: revision.hex)]
        case 9:
            // An annotation placed by hand on its article's current revision.
            guard let id = alive.randomElement(using: &random), let article = state.annotations[id].flatMap({ state.articles[$0.article] })
            else { return nil }
            let length = article.currentBody.unicodeScalars.count
            let start = Int.random(in: 0..<length - 1, using: &random)
            let end = start + 1 + Int.random(in: 0..<min(12, length - start), using: &random)
            let placed = PlacedAnchor(revision: article.currentRevision, start: UInt64(start), end: UInt64(end))
            return [.set(entity: id, field: .anchor, value: placed.text)]
        default:
            // Settle a conflict, as a person would.
            guard let conflict = state.conflicts.randomElement(using: &random) else { return nil }
            if conflict.field == Conflict.deletedField {
                return [Bool.random(using: &random) ? .keepAnnotation(id: conflict.entity) : .deleteAnnotation(id: conflict.entity)]
            }
            let value = conflict.values.randomElement(using: &random)!.value
            return [.set(entity: conflict.entity, field: Field(rawValue: conflict.field)!, value: value)]
        }
    }
}
