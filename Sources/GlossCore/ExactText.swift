/// Text compared by its UTF-8 bytes.
///
/// Swift's `String` compares by Unicode canonical equivalence: a precomposed "é" equals "e"
/// followed by U+0301. Gloss stores text byte-exact and the protocol defines string equality as
/// byte equality, so anything that keys, dedupes or compares user text for merging goes through
/// this type; otherwise two replicas could keep different bytes for "the same" tag and diverge.
public struct ExactText: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let string: String

    public init(_ string: String) { self.string = string }

    public var description: String { string }

    public static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(string.utf8.count)
        for byte in string.utf8 { hasher.combine(byte) }
    }

    /// Ascending by unsigned bytes, a proper prefix first: the order the SPEC uses.
    public static func < (lhs: ExactText, rhs: ExactText) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }
}

extension String {
    /// True when both strings hold the same UTF-8 bytes (not merely equivalent characters).
    public func isByteEqual(to other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}
