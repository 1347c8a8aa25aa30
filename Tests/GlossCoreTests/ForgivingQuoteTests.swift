import GlossCore
import Testing

/// Quotes a person can type or paste (SPEC §4.3.1): found though quotation marks, accents'
/// encoding or white space differ, and anchored to the article's own text.
@Suite struct ForgivingQuoteTests {
    static let body = "The mayor of Gdan\u{301}sk said: \u{201C}We won\u{2019}t close the port\u{201D} \u{2014} not\nthis year."

    @Test(arguments: [
        ("We won't close the port", "We won\u{2019}t close the port"),  // a straight apostrophe typed
        ("\"We won't close the port\"", "\u{201C}We won\u{2019}t close the port\u{201D}"),  // straight double quotes
        ("Gda\u{144}sk", "Gdan\u{301}sk"),  // composed ń for the article's n + combining acute
        ("port\" - not this year", "port\u{201D} \u{2014} not\nthis year"),  // a dash, a line break pasted as a space
        ("  not   this year.\n", "not\nthis year."),  // white space around and inside
        ("port\u{201D} \u{2014} not", "port\u{201D} \u{2014} not"),  // exact still works
    ])
    func aForgivingQuoteAnchorsToTheArticlesOwnText(typed: String, inArticle: String) throws {
        let anchor = try QuoteAnchoring.anchor(quote: typed, in: Self.body, occurrence: nil)
        #expect(Array(anchor.exact.unicodeScalars) == Array(inArticle.unicodeScalars), "\(anchor.exact.debugDescription)")
        let scalars = Array(Self.body.unicodeScalars)
        #expect(QuoteAnchoring.anchor(start: Int(anchor.start), end: Int(anchor.end), in: scalars) == anchor, "the anchor is exact")
    }

    @Test func whatDoesNotMatchStillDoesNot() {
        for typed in ["we won't close", "Gdansk", "portnot", "close  the  harbour", "   "] {
            #expect(throws: (any Error).self, "\(typed)") { try QuoteAnchoring.anchor(quote: typed, in: Self.body, occurrence: nil) }
        }
    }

    /// The exact text wins: a forgiving match is looked for only when there is no exact one, so
    /// a quote that anchored before still anchors to the same place.
    @Test func exactOccurrencesComeFirst() throws {
        let body = "It's here. It\u{2019}s there."
        let exact = try QuoteAnchoring.anchor(quote: "It's", in: body, occurrence: nil)
        #expect(exact.start == 0)
        let curly = try QuoteAnchoring.anchor(quote: "It\u{2019}s", in: body, occurrence: nil)
        #expect(curly.start == 11)
        #expect(QuoteAnchoring.matches(of: "it's", in: body).isEmpty, "case is not folded")
    }

    @Test func anAmbiguousForgivingQuoteListsEachPlaceWithItsWords() {
        let body = "Ana said \u{201C}no\u{201D} twice. Later Ana said \"no\" again, and then Ana said \u{201C}no\u{201D} once more."
        do {
            _ = try QuoteAnchoring.anchor(quote: "said \u{201C}no\u{201D}", in: body, occurrence: nil)
            Issue.record("not ambiguous")
        } catch {
            guard case .ambiguous(let count, let contexts) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(count == 2, "the exact occurrences, not the forgiving one")
            #expect(contexts.first == "Ana «said “no”» twice. Later Ana said…")
        }
        do {
            // Quotation marks typed the wrong way round: no exact match, three forgiving ones.
            _ = try QuoteAnchoring.anchor(quote: "said \u{201D}no\u{201C}", in: body, occurrence: nil)
            Issue.record("not ambiguous")
        } catch {
            guard case .ambiguous(let count, let contexts) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(count == 3 && contexts.count == 3)
            #expect(contexts[1] == "…“no” twice. Later Ana «said \"no\"» again, and then Ana…")
            let numbered = QuoteAnchoring.numbered(contexts, of: 3)
            #expect(numbered.hasPrefix("[1] Ana «said “no”» twice.") && numbered.contains("  [3] ") && !numbered.contains("\n"))
        }
        #expect(QuoteAnchoring.numbered(["a", "b"], of: 9).hasSuffix("and 7 more"))
    }
}
