/// Why an intent cannot be carried out on the state it was given: the message is one line a
/// person understands, naming ids in full hex; the code is for callers that match on it.
public struct IntentError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No article or annotation has that id.
        public static let noSuchEntity = Code(rawValue: "no-such-entity")
        /// The entity is of the other kind (a note on an article, a delete of an article...).
        public static let wrongKind = Code(rawValue: "wrong-kind")
        /// The annotation is deleted; it cannot be edited or resolved.
        public static let deleted = Code(rawValue: "deleted")
        /// A tag to remove is not there, or a tag has no text.
        public static let badTag = Code(rawValue: "bad-tag")
        /// The quote is empty, absent, ambiguous, or has no such occurrence (`quoteFailure`).
        public static let badQuote = Code(rawValue: "bad-quote")
        /// A resolution names a field (or presence) that is not in conflict.
        public static let notInConflict = Code(rawValue: "not-in-conflict")
        /// `pick N` past the values there are.
        public static let noSuchValue = Code(rawValue: "no-such-value")
        /// A text merge found overlapping edits, or no single common ancestor.
        public static let cannotMerge = Code(rawValue: "cannot-merge")
        /// The intent contradicts itself (a tag both added and removed, `keep` of a field).
        public static let contradictory = Code(rawValue: "contradictory")
        /// A value a field cannot hold: a blank title, a color of only white space.
        public static let badValue = Code(rawValue: "bad-value")
    }

    public let code: Code
    public let message: String
    /// For `.badQuote`: which way the quote failed, for a front end to phrase in its own words.
    public let quoteFailure: QuoteAnchoring.Failure?

    public init(_ code: Code, _ message: String, quoteFailure: QuoteAnchoring.Failure? = nil) {
        self.code = code
        self.message = message
        self.quoteFailure = quoteFailure
    }

    public var description: String { message }
}
