import GlossCore

/// Random intents of the kinds people state, from what a replica shows: imports, highlights,
/// edits of every field, tag adds (often of a tag already there, the case a skipped add would
/// lose), tag removes, deletes and resolutions. Shared by the intent property tests and any
/// front-end test that wants realistic traffic.
public enum RandomIntents {
    /// Few tags, so adds and removes of one tag race often.
    public static let tags = ["verify", "numbers", "todo"]

    /// One random intent on `state`, or nil when nothing sensible can be asked of it.
    public static func intent(on state: ReplicaState, using random: inout SplitMix64) -> (any Intent)? {
        let articles = state.articles.keys.sorted()
        let alive = state.annotations.values.filter(\.presence.isAlive).map(\.id).sorted()
        func pick<T>(_ choices: [T]) -> T? { choices.isEmpty ? nil : choices[random.below(choices.count)] }
        switch random.below(14) {
        case 0:
            let body = pick(RandomEdits.texts)!
            return ImportIntent(
                articles: [ImportIntent.Article(body: body)], title: random.chance(50) ? pick(RandomEdits.values) : nil,
                source: random.chance(30) ? "https://example.org/\(random.below(3))" : nil, tags: someTags(using: &random))
        case 1, 2:
            guard let article = pick(articles), let body = state.articles[article]?.currentBody else { return nil }
            let (quote, occurrence) = randomQuote(in: body, using: &random)
            return AnnotateIntent(
                article: article, quote: quote, occurrence: occurrence, note: random.chance(70) ? pick(RandomEdits.values) : nil,
                color: random.chance(30) ? pick(RandomEdits.colors) : nil, tags: someTags(using: &random))
        case 3, 4, 5, 6:
            guard let target = pick(random.chance(70) && !alive.isEmpty ? alive : articles) else { return nil }
            return randomEdit(of: target, in: state, using: &random)
        case 7, 8:
            guard let target = pick(alive) else { return nil }
            return DeleteIntent(annotation: target)
        case 9:
            guard let article = pick(articles), let held = state.articles[article] else { return nil }
            return ReviseIntent(article: article, body: pick([held.body] + RandomEdits.revisions(of: held.body))!, note: "correction")
        case 10:
            guard let target = pick(alive), let annotation = state.annotations[target], let article = state.articles[annotation.article]
            else { return nil }
            let (quote, occurrence) = randomQuote(in: article.currentBody, using: &random)
            return ReanchorIntent(annotation: target, article: annotation.article, quote: quote, occurrence: occurrence)
        default:
            guard let conflict = pick(state.conflicts) else { return nil }
            return randomResolution(of: conflict, using: &random)
        }
    }

    static func randomEdit(of target: EntityID, in state: ReplicaState, using random: inout SplitMix64) -> EditIntent {
        let isArticle = state.articles[target] != nil
        let present = (isArticle ? state.articles[target]?.tags : state.annotations[target]?.tags)?.elements ?? []
        var fields: [Field: String] = [:]
        for field in isArticle ? [Field.title, .source, .archived] : [.note, .color] where random.chance(30) {
            // Often the value the field shows already: the case where a skipped write is tempting.
            let shown = isArticle ? state.articles[target]?.value(of: field) : state.annotations[target]?.value(of: field)
            fields[field] = random.chance(40) ? (shown ?? "") : RandomEdits.values[random.below(RandomEdits.values.count)]
        }
        // Adds favour tags already there, which is where a skipped add loses to a concurrent remove.
        var adds: [String] = []
        for tag in tags where random.chance(present.contains(tag) ? 45 : 25) { adds.append(tag) }
        let removes = present.filter { !adds.contains($0) && random.chance(35) }
        return EditIntent(target: target, fields: fields, addTags: adds, removeTags: removes)
    }

    static func randomResolution(of conflict: Conflict, using random: inout SplitMix64) -> ResolveIntent {
        if conflict.field == Conflict.deletedField {
            let choice: ResolveIntent.Choice = random.chance(50) ? .keep : .pick(1 + random.below(conflict.values.count))
            return ResolveIntent(target: conflict.entity, subject: .presence, choice: choice)
        }
        let choice: ResolveIntent.Choice
        // A revision or a placed anchor is settled by picking one (a value of them is no text).
        switch Field(rawValue: conflict.field)!.isStructured ? 0 : random.below(3) {
        case 0: choice = .pick(1 + random.below(conflict.values.count))
        case 1: choice = .value("settled \(random.below(100))")
        default: choice = .merge
        }
        return ResolveIntent(target: conflict.entity, subject: .field(Field(rawValue: conflict.field)!), choice: choice)
    }

    /// A passage of whole characters, and which occurrence of it was meant when it repeats.
    static func randomQuote(in body: String, using random: inout SplitMix64) -> (String, Int?) {
        let characters = Array(body)
        let start = random.below(characters.count - 1)
        let length = 1 + random.below(min(12, characters.count - start))
        let quote = String(characters[start..<start + length])
        let occurrences = QuoteAnchoring.occurrences(of: quote, in: body)
        return (quote, occurrences.count > 1 ? 1 + random.below(occurrences.count) : nil)
    }

    static func someTags(using random: inout SplitMix64) -> [String] {
        tags.filter { _ in random.chance(25) }
    }
}
