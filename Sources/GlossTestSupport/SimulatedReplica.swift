import GlossCore

/// A replica for randomized tests: a `ReplicaState` plus every change it holds, making random
/// local edits of the kinds people make (including the racy ones: concurrent edits of one
/// field, deletes against edits, tag add/remove races).
public struct SimulatedReplica: Sendable {
    public let id: ReplicaID
    public private(set) var state = ReplicaState()
    /// Every change held, in the order applied: a causal order.
    public private(set) var log: [Change] = []
    private var tick: UInt64 = 0

    public static let sampleTexts = [
        "Some 8,000 North Korean troops have been deployed to Russia's Kursk Oblast, Blinken said.",
        "The first soldiers were deployed to Kursk Oblast in late October, according to HUR.",
        "Zürich council votes on the \u{1F4F0} budget; the mayor said \"soon\" twice: soon.",
    ]
    public static let values = ["urgent", "check source", "verified", "", "follow up\nwith desk", "ok"]
    public static let colors = ["yellow", "green", "blue"]
    public static let tags = ["politics", "todo", "europe", "quote"]

    public init(id: ReplicaID) { self.id = id }

    public init(number: UInt64) {
        self.init(id: ID128(high: number, low: number &* 0x9E37_79B9))
    }

    /// Applies changes from a peer in any order, skipping those already held and holding back
    /// those whose predecessors have not arrived. Returns how many were applied.
    @discardableResult
    public mutating func receive(_ changes: [Change]) throws -> Int {
        let (ready, _) = CausalOrder.arrange(changes, after: state.clock)
        for change in ready where try state.apply(change) { log.append(change) }
        return ready.count
    }

    /// Makes one random local change; returns it, or nil when nothing sensible could be done.
    @discardableResult
    public mutating func editRandomly(using random: inout SplitMix64) throws -> Change? {
        let dot = Dot(replica: id, seq: state.clock[id] + 1)
        guard let operations = randomOperations(at: dot, using: &random), !operations.isEmpty else { return nil }
        tick += 1
        let change = Change(id: dot, dependencies: state.clock, time: tick, operations: operations)
        try state.apply(change)
        log.append(change)
        return change
    }

    private func randomOperations(at dot: Dot, using random: inout SplitMix64) -> [Operation]? {
        let articles = state.articles.keys.sorted()
        let alive = state.annotations.values.filter(\.presence.isAlive).map(\.id).sorted()
        switch random.below(10) {
        case 0:
            let body = Self.sampleTexts[random.below(Self.sampleTexts.count)]
            let id = ArticleText.id(of: body)
            return [.createArticle(id: id, body: body), .set(entity: id, field: .title, value: pick(Self.values, &random))]
        case 1, 2:
            guard let articleID = articles.randomElement(using: &random), let article = state.articles[articleID] else {
                return nil
            }
            let scalars = Array(article.body.unicodeScalars)
            let start = random.below(scalars.count - 1)
            let end = start + 1 + random.below(min(12, scalars.count - start))
            let quote = String(String.UnicodeScalarView(scalars[start..<end]))
            let occurrence = QuoteAnchoring.occurrences(of: quote, in: article.body).firstIndex(of: start)! + 1
            guard let anchor = try? QuoteAnchoring.anchor(quote: quote, in: article.body, occurrence: occurrence) else {
                return nil
            }
            let id = ID128.annotation(createdAt: dot, index: 0)
            return [.createAnnotation(id: id, article: articleID, anchor: anchor),
                    .set(entity: id, field: .note, value: pick(Self.values, &random))]
        case 3, 4:
            guard let id = alive.randomElement(using: &random) else { return nil }
            return [.set(entity: id, field: random.chance(50) ? .note : .color, value: pick(Self.values + Self.colors, &random))]
        case 5:
            guard let id = articles.randomElement(using: &random) else { return nil }
            return [.set(entity: id, field: random.chance(50) ? .title : .source, value: pick(Self.values, &random))]
        case 6:
            guard let id = (alive + articles).randomElement(using: &random) else { return nil }
            let tag = pick(Self.tags, &random)
            return [random.chance(60) ? .addTag(entity: id, tag: tag) : .removeTag(entity: id, tag: tag)]
        case 7:
            guard let id = alive.randomElement(using: &random) else { return nil }
            return [.deleteAnnotation(id: id)]
        default:
            // Settle a conflict, as a person would.
            guard let conflict = state.conflicts.randomElement(using: &random) else { return nil }
            if conflict.field == Conflict.deletedField {
                return [random.chance(50) ? .keepAnnotation(id: conflict.entity) : .deleteAnnotation(id: conflict.entity)]
            }
            let value = conflict.values[random.below(conflict.values.count)].value
            return [.set(entity: conflict.entity, field: Field(rawValue: conflict.field)!, value: value)]
        }
    }

    private func pick(_ choices: [String], _ random: inout SplitMix64) -> String {
        choices[random.below(choices.count)]
    }
}
