/// Why GlossCore refused a change. Codes are stable; new ones break no caller.
public struct GlossCoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The change's predecessors (or its author's earlier changes) are not all present.
        public static let notReady = Code(rawValue: "not-ready")
        /// The change is malformed or contradicts the state (unknown entity, wrong id, ...).
        public static let invalidChange = Code(rawValue: "invalid-change")
        /// A change is not covered by its author's signature as SPEC §6.6 requires.
        public static let unsignedChange = Code(rawValue: "unsigned-change")
        /// An author's signature does not verify over the changes it claims to cover.
        public static let badSignature = Code(rawValue: "bad-signature")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
