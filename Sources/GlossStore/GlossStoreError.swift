import GlossCore

/// Why a store operation failed. The message is one line a person understands; the code is
/// for callers that match on it (new codes break no caller).
public struct GlossStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let noStore = Code(rawValue: "no-store")
        public static let storeExists = Code(rawValue: "store-exists")
        public static let notWritable = Code(rawValue: "not-writable")
        public static let notAGlossStore = Code(rawValue: "not-a-gloss-store")
        public static let newerSchema = Code(rawValue: "newer-schema")
        public static let foreignStore = Code(rawValue: "foreign-store")
        public static let unknownID = Code(rawValue: "unknown-id")
        public static let ambiguousID = Code(rawValue: "ambiguous-id")
        /// Changes need predecessors that are neither held nor in the same batch.
        public static let missingPredecessors = Code(rawValue: "missing-predecessors")
        /// A change reuses the dot of a held change with other content.
        public static let equivocation = Code(rawValue: "equivocation")
        /// A change breaks the model's rules (unknown entity, wrong id, bad anchor...).
        public static let invalidChange = Code(rawValue: "invalid-change")
        /// The device that sent changes may only pull (read-only).
        public static let notPermitted = Code(rawValue: "not-permitted")
        /// The device that sent changes is not (or no longer) trusted.
        public static let notTrusted = Code(rawValue: "not-trusted")
        /// A change is not covered by its author's signature (SPEC §6.6).
        public static let unsignedChange = Code(rawValue: "unsigned-change")
        /// An author's signature does not verify over the changes it claims to cover.
        public static let badSignature = Code(rawValue: "bad-signature")
        /// Another process held the store's write lock for longer than the busy timeout: trying
        /// again later will work.
        public static let busy = Code(rawValue: "busy")
        /// The disk (or the quota) is full.
        public static let diskFull = Code(rawValue: "disk-full")
        /// SQLite failed in a way none of the other codes names (an I/O error, a damaged file).
        public static let databaseError = Code(rawValue: "database-error")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension GlossStoreError {
    /// A change GlossCore refused: its predecessors are missing, or it breaks the model.
    init(refusing error: GlossCoreError) {
        let code: Code =
            switch error.code {
            case .notReady: .missingPredecessors
            case .unsignedChange: .unsignedChange
            case .badSignature: .badSignature
            default: .invalidChange
            }
        self.init(code, error.message)
    }
}
