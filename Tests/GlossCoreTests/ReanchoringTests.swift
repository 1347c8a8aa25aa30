import GlossCore
import Testing

/// `Reanchoring`, one state at a time, on a short article and its corrections.
@Suite struct ReanchoringTests {
    let old = "The council met on Monday.\n\nNearly 12,000 troops were sent, the ministry said.\n\nThe mayor said soon.\n"

    func anchor(_ quote: String, in text: String? = nil) throws -> Anchor {
        try QuoteAnchoring.anchor(quote: quote, in: text ?? old, occurrence: nil)
    }

    func text(_ result: Reanchoring.Result, in new: String) -> String? {
        result.range.map { String(String.UnicodeScalarView(Array(new.unicodeScalars)[$0])) }
    }

    @Test func anUntouchedPassageIsExact() throws {
        let new = old.replacingOccurrences(of: "The mayor said soon.", with: "The mayor said later.")
        let result = Reanchoring.anchor(try anchor("12,000 troops"), from: old, to: new)
        #expect(result.state == .exact && text(result, in: new) == "12,000 troops" && result.score == 1)
    }

    @Test func aPassageShiftedByAnInsertHasMoved() throws {
        let new = old.replacingOccurrences(of: "on Monday.", with: "on Monday, after a long delay.")
        let result = Reanchoring.anchor(try anchor("12,000 troops"), from: old, to: new)
        #expect(result.state == .moved && text(result, in: new) == "12,000 troops")
    }

    @Test func aCorrectedFigureIsFuzzyWithItsScore() throws {
        let new = old.replacingOccurrences(of: "12,000", with: "13,000")
        let result = Reanchoring.anchor(try anchor("Nearly 12,000 troops were sent"), from: old, to: new)
        #expect(result.state == .fuzzy && text(result, in: new) == "Nearly 13,000 troops were sent")
        #expect(result.score > 0.95 && result.score < 1)
    }

    @Test func aMovedParagraphIsFoundByItsQuoteAndContext() throws {
        let new = "The council met on Monday.\n\nThe mayor said soon.\n\nNearly 12,000 troops were sent, the ministry said.\n"
        let result = Reanchoring.anchor(try anchor("troops were sent"), from: old, to: new)
        #expect(result.state == .moved && text(result, in: new) == "troops were sent")
    }

    @Test func aDeletedPassageIsOrphanedNotGuessed() throws {
        let new = "The council met on Monday.\n\nThe mayor said soon.\n"
        let result = Reanchoring.anchor(try anchor("12,000 troops were sent"), from: old, to: new)
        #expect(result.state == .orphaned && result.range == nil && result.score == 0)
        // A passage rewritten past recognition is an orphan too.
        let rewritten = old.replacingOccurrences(of: "Nearly 12,000 troops were sent", with: "A brigade deployed")
        #expect(Reanchoring.anchor(try anchor("12,000 troops were sent"), from: old, to: rewritten).state == .orphaned)
    }

    @Test func aShortQuoteThatOccursAgainElsewhereIsNotTakenForTheOne() throws {
        // "said" is also in another sentence; the highlighted one is deleted.
        let new = "The council met on Monday.\n\nThe mayor said soon.\n"
        let quote = try QuoteAnchoring.anchor(quote: "said", in: old, occurrence: 1)
        #expect(Reanchoring.anchor(quote, from: old, to: new).state == .orphaned)
    }
}

/// One `Edit` placing many anchors gives what placing each alone gives, and an edit too large
/// to follow still finds a quote by its context.
@Suite struct ReanchoringEditTests {
    @Test func oneDiffForManyAnchorsGivesTheSameResults() throws {
        let old = (1...40).map { "Paragraph \($0) says the count was \($0 * 7) on day \($0)." }.joined(separator: "\n\n")
        let new = old.replacingOccurrences(of: "count was 70", with: "count was 71").replacingOccurrences(
            of: "Paragraph 3 ", with: "Section 3 ")
        let edit = Reanchoring.Edit(from: old, to: new)
        let scalars = Array(old.unicodeScalars)
        for start in stride(from: 0, to: scalars.count - 30, by: 37) {
            let anchor = try #require(QuoteAnchoring.anchor(start: start, end: start + 25, in: scalars))
            #expect(edit.anchor(anchor) == Reanchoring.anchor(anchor, from: old, to: new))
        }
    }

    @Test func anEditTooLargeToFollowStillFindsAQuoteByItsContext() throws {
        let paragraphs = (1...900).map { "Item \($0): the council noted case \($0 * 13) today." }
        let old = paragraphs.joined(separator: "\n\n")
        let new = paragraphs.reversed().joined(separator: "\n\n")  // every paragraph moved
        let anchor = try QuoteAnchoring.anchor(quote: "case 6500 today", in: old, occurrence: nil)
        let result = Reanchoring.anchor(anchor, from: old, to: new)
        #expect(result.state == .moved)
        #expect(result.range.map { String(String.UnicodeScalarView(Array(new.unicodeScalars)[$0])) } == "case 6500 today")
    }
}
