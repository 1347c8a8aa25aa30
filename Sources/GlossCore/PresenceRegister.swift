/// Whether an annotation exists, as a register of "alive" and "deleted" marks.
///
/// Every change that touches an annotation writes a mark: creation, edits and `keep` write
/// alive, a delete writes deleted. Each mark supersedes the marks its change covers, exactly as
/// `MultiValueRegister` does. So a delete removes what its author had seen, and an edit that the
/// delete had not seen leaves an alive mark beside the deleted one: the annotation stays, in a
/// delete-vs-edit conflict, until `keep` or a new delete settles it.
public struct PresenceRegister: Hashable, Sendable {
    public enum Mark: String, Hashable, Sendable {
        case alive, deleted
    }

    public struct Entry: Hashable, Sendable, DotNamed {
        public let dot: Dot
        public let mark: Mark
        public let time: UInt64

        public init(dot: Dot, mark: Mark, time: UInt64) {
            self.dot = dot
            self.mark = mark
            self.time = time
        }
    }

    /// Live marks sorted by dot.
    public private(set) var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries.sorted { $0.dot < $1.dot }
    }

    public mutating func apply(_ mark: Mark, by change: Change) {
        entries.write(Entry(dot: change.id, mark: mark, time: change.time), by: change)
    }

    /// Shown to the user: any alive mark keeps the annotation.
    public var isAlive: Bool { entries.contains { $0.mark == .alive } }

    /// Deleted on one replica while edited on another, and not yet settled.
    public var isInConflict: Bool { isAlive && entries.contains { $0.mark == .deleted } }
}
