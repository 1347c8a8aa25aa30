/// Quotes sent by position (SPEC §11.4.2b): an anchor whose quote and context are exactly what
/// its article's text holds at its offsets travels with `exact`, `prefix` and `suffix` empty,
/// and the receiver rebuilds them from the article. A quote is often most of an annotation's
/// bytes; the receiver holds the article already, or gets it earlier in the same batch.
///
/// Only an anchor the rebuild gives back byte for byte is sent so (a writer may have recorded
/// other context, SPEC §4.3), so what is signed and stored is never changed.
///
/// A few bytes on the wire can stand for a whole article's text, so both sides keep one
/// `ArticleScalars` per batch with two budgets: the article text it loads, and the text it
/// rebuilds. A sender past either sends the rest whole; a receiver past either refuses the batch.
extension Anchor {
    /// The wire form of an anchor sent by position.
    public static func byPosition(start: UInt64, end: UInt64) -> Anchor {
        Anchor(exact: "", prefix: "", suffix: "", start: start, end: end)
    }

    /// True for the wire form: no anchor a change may hold has an empty `exact` (SPEC §4.10).
    public var isByPosition: Bool { exact.isEmpty && prefix.isEmpty && suffix.isEmpty }
}

/// Article texts as Unicode scalars with their UTF-8 offsets, looked up by id: articles created
/// earlier in the batch first (`learn`), then `held` (a store), each read once, within budgets.
public struct ArticleScalars {
    struct Text {
        let scalars: [Unicode.Scalar]
        /// `utf8[i]` is the UTF-8 length of `scalars[..<i]`: a rebuild's size before it is made.
        let utf8: [UInt32]

        init(_ body: String) {
            scalars = Array(body.unicodeScalars)
            var offsets: [UInt32] = [0]
            offsets.reserveCapacity(scalars.count + 1)
            for scalar in scalars { offsets.append(offsets.last! + UInt32(UTF8.width(scalar))) }
            utf8 = offsets
        }
    }

    /// Why a rebuild cannot be made within the budgets.
    enum OverBudget: Error { case load, rebuild }

    private var known: [EntityID: Text] = [:]
    private let held: (EntityID) throws -> String?
    /// Bytes of held article text that may be loaded, and of text that may be rebuilt.
    public let loadLimit: Int
    public let rebuildLimit: Int
    private(set) var loaded = 0
    private(set) var rebuilt = 0

    /// The defaults: 32 MiB of article text loaded, and as much rebuilt as a CHANGES frame
    /// carries (16 MiB), per batch.
    public init(held: @escaping (EntityID) throws -> String?, loadLimit: Int = 32 << 20, rebuildLimit: Int = 16 << 20) {
        self.held = held
        self.loadLimit = loadLimit
        self.rebuildLimit = rebuildLimit
    }

    /// Notes the articles `change` creates (those whose id is their text's), for annotations
    /// later in the batch, and in the change itself.
    public mutating func learn(from change: Change) {
        for case .createArticle(let id, let body) in change.operations where known[id] == nil && ArticleText.id(of: body) == id {
            known[id] = Text(body)
        }
    }

    mutating func text(of article: EntityID) throws -> Text? {
        if let text = known[article] { return text }
        guard let body = try held(article) else { return nil }
        guard loaded + body.utf8.count <= loadLimit else { throw OverBudget.load }
        loaded += body.utf8.count
        let text = Text(body)
        known[article] = text
        return text
    }

    /// The anchor at `start..<end` of `article` with its context, counted against the rebuild
    /// budget; nil when the article is unknown or the offsets do not fit it.
    mutating func rebuild(_ article: EntityID, start: UInt64, end: UInt64) throws -> Anchor? {
        guard let text = try text(of: article), let start = Int(exactly: start), let end = Int(exactly: end),
            0 <= start, start < end, end <= text.scalars.count
        else { return nil }
        let from = max(0, start - QuoteAnchoring.contextLength)
        let to = min(text.scalars.count, end + QuoteAnchoring.contextLength)
        let size = Int(text.utf8[to] - text.utf8[from])
        guard rebuilt + size <= rebuildLimit else { throw OverBudget.rebuild }
        rebuilt += size
        return QuoteAnchoring.anchor(start: start, end: end, in: text.scalars)
    }

    /// The article's length in scalars, if known (for a refusal's message).
    mutating func length(of article: EntityID) throws -> Int? { try text(of: article)?.scalars.count }
}

extension Change {
    /// This change with each anchor its article's text rebuilds exactly put in its wire form
    /// by position; other anchors, anchors of articles `articles` lacks, and anchors past its
    /// budgets, unchanged.
    public func sendingQuotesByPosition(_ articles: inout ArticleScalars) throws -> Change {
        articles.learn(from: self)
        guard operations.contains(where: { if case .createAnnotation = $0 { true } else { false } }) else { return self }
        var operations = self.operations
        for (index, operation) in operations.enumerated() {
            // An anchor on a later revision always travels whole (SPEC §11.4.2b).
            guard case .createAnnotation(let id, let article, let anchor) = operation, !anchor.isByPosition, anchor.revision == nil
            else { continue }
            var trial = articles
            guard let rebuilt = try? trial.rebuild(article, start: anchor.start, end: anchor.end), rebuilt == anchor else { continue }
            articles = trial
            operations[index] = .createAnnotation(id: id, article: article, anchor: .byPosition(start: anchor.start, end: anchor.end))
        }
        return Change(id: id, dependencies: dependencies, time: time, operations: operations)
    }

    /// This change with every anchor sent by position rebuilt from its article's text (one held,
    /// or created earlier in the batch or in this change). Refused (`invalidChange`) when the
    /// article is not there, the offsets do not fit it, or the batch's budgets run out.
    public func restoringQuotes(_ articles: inout ArticleScalars) throws -> Change {
        articles.learn(from: self)
        guard hasQuotesByPosition else { return self }
        var operations = self.operations
        for (index, operation) in operations.enumerated() {
            // One on a later revision is never sent so: left for the model to refuse (an empty quote).
            guard case .createAnnotation(let id, let article, let anchor) = operation, anchor.isByPosition, anchor.revision == nil
            else { continue }
            let rebuilt: Anchor?
            do {
                rebuilt = try articles.rebuild(article, start: anchor.start, end: anchor.end)
            } catch ArticleScalars.OverBudget.load {
                throw refusal("quotes by position more article text than a batch may (\(articles.loadLimit >> 20) MiB)")
            } catch {
                throw refusal("rebuilds more quoted text than a batch may (\(articles.rebuildLimit >> 20) MiB)")
            }
            guard let rebuilt else {
                guard let length = try articles.length(of: article) else {
                    throw refusal(
                        "annotation \(id.hex) quotes article \(article.hex) by position, and this replica does not hold that article")
                }
                throw refusal(
                    "annotation \(id.hex) quotes characters \(anchor.start)–\(anchor.end) of article \(article.hex), which has \(length)")
            }
            operations[index] = .createAnnotation(id: id, article: article, anchor: rebuilt)
        }
        return Change(id: id, dependencies: dependencies, time: time, operations: operations)
    }

    private func refusal(_ what: String) -> GlossCoreError {
        GlossCoreError(.invalidChange, "change \(id): \(what)")
    }

    /// True when the change holds an anchor sent by position.
    public var hasQuotesByPosition: Bool {
        operations.contains {
            if case .createAnnotation(_, _, let anchor) = $0 { anchor.isByPosition && anchor.revision == nil } else { false }
        }
    }
}
