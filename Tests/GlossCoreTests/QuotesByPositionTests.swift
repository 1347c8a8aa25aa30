import Foundation
import GlossCore
import Testing

/// Quotes sent by position (SPEC §11.4.2b): the sender leaves out what the article's text
/// rebuilds, the receiver rebuilds it byte for byte, and nothing else is ever left out.
@Suite struct QuotesByPositionTests {
    struct Vectors: Decodable {
        struct Valid: Decodable {
            let why: String
            let start: Int
            let end: Int
            let exact: String
            let prefix: String
            let suffix: String
        }
        struct Invalid: Decodable {
            let why: String
            let start: Int
            let end: Int
        }
        let article: String
        let valid: [Valid]
        let invalid: [Invalid]
    }

    static let vectors: Vectors = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/test-vectors/quotes-by-position/quotes.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: file))
    }()

    @Test func rebuildsTheVectors() throws {
        let scalars = Array(Self.vectors.article.unicodeScalars)
        #expect(Self.vectors.valid.count >= 5)
        for vector in Self.vectors.valid {
            let anchor = try #require(QuoteAnchoring.anchor(start: vector.start, end: vector.end, in: scalars), "\(vector.why)")
            let expected = Anchor(
                exact: vector.exact, prefix: vector.prefix, suffix: vector.suffix, start: UInt64(vector.start), end: UInt64(vector.end))
            #expect(anchor == expected, "\(vector.why)")  // byte for byte (Anchor's ==)
        }
        for vector in Self.vectors.invalid {
            #expect(QuoteAnchoring.anchor(start: vector.start, end: vector.end, in: scalars) == nil, "\(vector.why)")
        }
    }

    static let body = vectors.article
    static let article = ArticleText.id(of: body)

    static func annotation(_ anchor: Anchor, seq: UInt64 = 2) -> Change {
        let dot = Dot(replica: ID128(high: 1, low: 1), seq: seq)
        return Change(
            id: dot, dependencies: VersionVector(), time: 0,
            operations: [
                .createAnnotation(id: ID128.annotation(createdAt: dot, index: 0), article: article, anchor: anchor),
                .set(entity: ID128.annotation(createdAt: dot, index: 0), field: .note, value: "Call the engineer back."),
            ])
    }

    static func held(_ bodies: [EntityID: String]) -> ArticleScalars {
        ArticleScalars { bodies[$0] }
    }

    @Test func anAnchorGlossRecordsGoesByPositionAndComesBackByteForByte() throws {
        for quote in ["Ribe\u{301}iro", "Street \u{1F6A7} for", "The council", "3\u{a0}March."] {
            let anchor = try QuoteAnchoring.anchor(quote: quote, in: Self.body, occurrence: nil)
            let change = Self.annotation(anchor)
            var sender = Self.held([Self.article: Self.body])
            let sent = try change.sendingQuotesByPosition(&sender)
            guard case .createAnnotation(_, _, let wire) = sent.operations[0] else { throw CancellationError() }
            #expect(wire.isByPosition && wire.start == anchor.start && wire.end == anchor.end, "\(quote)")
            #expect(sent.operations[1] == change.operations[1], "other operations untouched")
            var receiver = Self.held([Self.article: Self.body])
            #expect(try sent.restoringQuotes(&receiver) == change, "\(quote)")
        }
    }

    /// Another writer's context (SPEC §4.3 lets it differ) is never replaced by gloss's own:
    /// such an anchor travels whole, so what its author signed is what arrives.
    @Test func anAnchorWithOtherContextTravelsWhole() throws {
        var anchor = try QuoteAnchoring.anchor(quote: "Harbour Road bridge", in: Self.body, occurrence: nil)
        anchor.prefix = "close the "
        let change = Self.annotation(anchor)
        var sender = Self.held([Self.article: Self.body])
        #expect(try change.sendingQuotesByPosition(&sender) == change)
        var unknownArticle = Self.held([:])
        let canonical = Self.annotation(try QuoteAnchoring.anchor(quote: "Harbour Road bridge", in: Self.body, occurrence: nil))
        #expect(try canonical.sendingQuotesByPosition(&unknownArticle) == canonical, "no article here: sent whole")
    }

    @Test func anArticleInTheSameBatchIsFound() throws {
        let anchor = try QuoteAnchoring.anchor(quote: "Harbour Road bridge", in: Self.body, occurrence: nil)
        let sent = Self.annotation(.byPosition(start: anchor.start, end: anchor.end))
        let creation = Change(
            id: Dot(replica: ID128(high: 1, low: 1), seq: 1), dependencies: VersionVector(), time: 0,
            operations: [.createArticle(id: Self.article, body: Self.body)])
        var articles = Self.held([:])
        articles.learn(from: creation)
        #expect(try sent.restoringQuotes(&articles) == Self.annotation(anchor))
        // A createArticle whose id is not its text's is never taken as the article.
        var forged = Self.held([:])
        forged.learn(
            from: Change(id: creation.id, dependencies: [:], time: 0, operations: [.createArticle(id: Self.article, body: "Other text.")]))
        #expect(throws: GlossCoreError.self) { try sent.restoringQuotes(&forged) }
    }

    /// A few bytes on the wire may stand for a whole article: a receiver refuses a batch past
    /// its budgets, and a sender sends the rest whole.
    @Test func theBudgetsBoundWhatARebuildCosts() throws {
        let anchor = try QuoteAnchoring.anchor(quote: "Harbour Road bridge", in: Self.body, occurrence: nil)
        let sent = Self.annotation(.byPosition(start: anchor.start, end: anchor.end))
        let size = anchor.exact.utf8.count + anchor.prefix.utf8.count + anchor.suffix.utf8.count
        var roomForOne = ArticleScalars(held: { _ in Self.body }, rebuildLimit: size)
        #expect(try sent.restoringQuotes(&roomForOne) == Self.annotation(anchor))
        let second = #expect(throws: GlossCoreError.self) { try sent.restoringQuotes(&roomForOne) }
        #expect(second?.message.contains("rebuilds more quoted text than a batch may") == true, "\(String(describing: second))")
        var tooSmallToLoad = ArticleScalars(held: { _ in Self.body }, loadLimit: Self.body.utf8.count - 1)
        let load = #expect(throws: GlossCoreError.self) { try sent.restoringQuotes(&tooSmallToLoad) }
        #expect(load?.message.contains("more article text than a batch may") == true)

        var sender = ArticleScalars(held: { _ in Self.body }, rebuildLimit: size)
        let whole = Self.annotation(anchor)
        #expect(try whole.sendingQuotesByPosition(&sender) == sent, "within the budget: by position")
        #expect(try whole.sendingQuotesByPosition(&sender) == whole, "past it: whole")
    }

    @Test func aQuoteThatCannotBeRebuiltIsAnInvalidChange() {
        let outside = Self.annotation(.byPosition(start: 230, end: 400))
        var articles = Self.held([Self.article: Self.body])
        let pastTheEnd = #expect(throws: GlossCoreError.self) { try outside.restoringQuotes(&articles) }
        #expect(pastTheEnd?.code == .invalidChange)
        #expect(pastTheEnd?.message.contains("which has 235") == true, "\(String(describing: pastTheEnd))")
        var none = Self.held([:])
        let missing = #expect(throws: GlossCoreError.self) { try Self.annotation(.byPosition(start: 1, end: 5)).restoringQuotes(&none) }
        #expect(missing?.message.contains("does not hold that article") == true)
    }
}
