import GlossCore
import Testing

/// Where an annotation imported from elsewhere (a W3C TextQuoteSelector with or without a
/// TextPositionSelector, Hypothesis's selectors) lands in an article's text.
@Suite struct SelectorPlacementTests {
    let body = "The mayor said soon. Later the mayor said soon again, and the council said nothing."

    func range(of text: String, from: Int = 0) -> Range<Int> {
        let scalars = Array(body.unicodeScalars)
        let needle = Array(text.unicodeScalars)
        let start = (from...(scalars.count - needle.count)).first { Array(scalars[$0..<$0 + needle.count]) == needle }!
        return start..<start + needle.count
    }

    @Test func aQuoteAtItsPositionIsExact() {
        let second = range(of: "mayor said soon", from: 10)
        let selector = TextSelector(exact: "mayor said soon", position: second)
        #expect(SelectorPlacement.place(selector, in: body) == .exact(second))
    }

    @Test func aUniqueQuoteAwayFromItsPositionHasMoved() {
        let council = range(of: "council")
        let selector = TextSelector(exact: "council", position: 3..<10)
        #expect(SelectorPlacement.place(selector, in: body) == .moved(council))
        #expect(SelectorPlacement.place(TextSelector(exact: "council"), in: body) == .moved(council))
    }

    @Test func contextPicksOneOfSeveralOccurrences() {
        let second = range(of: "mayor said soon", from: 10)
        let selector = TextSelector(exact: "mayor said soon", prefix: "Later the ", suffix: " again")
        #expect(SelectorPlacement.place(selector, in: body) == .moved(second))
        // Context cut short (at the start of the text) still counts, as far as it goes.
        let first = range(of: "mayor said soon")
        #expect(SelectorPlacement.place(TextSelector(exact: "mayor said soon", prefix: "The ", suffix: "."), in: body) == .moved(first))
    }

    @Test func aQuoteWhoseContextAgreesNowhereIsAnotherPassage() {
        // Once in the text, but with context from some other article: not this passage.
        let elsewhere = TextSelector(exact: "council", prefix: "the regional ", suffix: " voted to")
        #expect(SelectorPlacement.place(elsewhere, in: body) == .orphaned(.contextDiffers(count: 1)))
        // One side agreeing is enough (a tool saw the page's text on the other side).
        let oneSide = TextSelector(exact: "council", prefix: "the regional ", suffix: " said nothing")
        #expect(SelectorPlacement.place(oneSide, in: body) == .moved(range(of: "council")))
        // A position on the quote's text with context that disagrees is not trusted either.
        let first = range(of: "mayor said soon")
        let misplaced = TextSelector(exact: "mayor said soon", prefix: "Later the ", suffix: " again", position: first)
        #expect(SelectorPlacement.place(misplaced, in: body) == .moved(range(of: "mayor said soon", from: 10)))
    }

    @Test func whatCannotBePlacedWithConfidenceIsOrphanedNeverGuessed() {
        #expect(SelectorPlacement.place(TextSelector(exact: "mayor said soon"), in: body) == .orphaned(.ambiguous(count: 2)))
        // A position inside the text but another quote there: not trusted over the quote.
        let nowhere = TextSelector(exact: "the governor", position: 0..<12)
        #expect(SelectorPlacement.place(nowhere, in: body) == .orphaned(.notFound))
        #expect(SelectorPlacement.place(TextSelector(exact: ""), in: body) == .orphaned(.emptyQuote))
        let past = TextSelector(exact: "mayor", prefix: "", suffix: "", position: 500..<505)
        #expect(SelectorPlacement.place(past, in: body) == .orphaned(.ambiguous(count: 2)))
    }

    @Test func aQuoteTypedDifferentlyIsPlacedOnTheArticlesOwnText() {
        let body = "It's a \u{201C}test\u{201D} of Gda\u{0144}sk."
        let placed = SelectorPlacement.place(TextSelector(exact: "\"test\" of Gdan\u{0301}sk"), in: body)
        guard case .moved(let found) = placed else {
            Issue.record("\(placed)")
            return
        }
        #expect(found == 7..<23)
    }
}
