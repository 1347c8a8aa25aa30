/// How a quote that a person typed or pasted is found when its exact text is not in the article
/// (SPEC §4.3.1): quotation marks, apostrophes and dashes folded, characters compared up to
/// Unicode canonical equivalence, and any run of white space equal to any other. The anchor is
/// then made of the article's own text at the place found, so what is stored stays exact.
///
///     "Ana Ribéiro’s  report"   (decomposed é, a straight quote typed, a pasted line break)
///     finds "Ana Ribéiro's\nreport" in the article.
enum ForgivingQuote {
    /// One unit of text as the comparison sees it: a run of white space, or one character
    /// (an extended grapheme cluster) with its quotation marks and dashes folded.
    enum Unit: Equatable {
        case space
        case character(Character)
    }

    /// The units of `text` with the scalar offsets each covers.
    static func units(of text: String) -> [(unit: Unit, start: Int, end: Int)] {
        var units: [(unit: Unit, start: Int, end: Int)] = []
        var offset = 0
        for character in text {
            let end = offset + character.unicodeScalars.count
            if isSpace(character) {
                if units.last?.unit == .space {
                    units[units.count - 1].end = end
                } else {
                    units.append((.space, offset, end))
                }
            } else {
                units.append((.character(folded(character)), offset, end))
            }
            offset = end
        }
        return units
    }

    /// A character is white space when its first scalar has the Unicode White_Space property
    /// (spaces, tabs, line breaks, no-break spaces; a CR LF is one character).
    static func isSpace(_ character: Character) -> Bool {
        character.unicodeScalars.first!.properties.isWhitespace
    }

    /// Quotation marks and apostrophes as their ASCII forms, dashes and the minus sign as a
    /// hyphen-minus; every other character as it is.
    static func folded(_ character: Character) -> Character {
        guard character.unicodeScalars.count == 1, let folded = foldings[character.unicodeScalars.first!] else { return character }
        return Character(folded)
    }

    static let foldings: [Unicode.Scalar: Unicode.Scalar] = {
        var map: [Unicode.Scalar: Unicode.Scalar] = [:]
        for scalar in "\u{2018}\u{2019}\u{201A}\u{201B}\u{2032}\u{02BC}\u{0060}".unicodeScalars { map[scalar] = "'" }
        for scalar in "\u{201C}\u{201D}\u{201E}\u{201F}\u{2033}\u{00AB}\u{00BB}".unicodeScalars { map[scalar] = "\"" }
        for scalar in "\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}\u{2015}\u{2212}".unicodeScalars { map[scalar] = "-" }
        return map
    }()

    /// Every place where `quote` matches `body` forgivingly, as scalar ranges of the body,
    /// overlapping ones too. White space at either end of the quote is ignored; a match starts
    /// and ends on a character that is not white space.
    static func matches(of quote: String, in body: String) -> [Range<Int>] {
        var needle = units(of: quote).map(\.unit)
        while needle.first == .space { needle.removeFirst() }
        while needle.last == .space { needle.removeLast() }
        let haystack = units(of: body)
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var found: [Range<Int>] = []
        for start in 0...(haystack.count - needle.count)
        where haystack[start].unit == needle[0] && zip(haystack[start..<start + needle.count], needle).allSatisfy({ $0.unit == $1 }) {
            found.append(haystack[start].start..<haystack[start + needle.count - 1].end)
        }
        return found
    }
}
