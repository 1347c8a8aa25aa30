/// One change's name: the replica that wrote it and that replica's sequence number (from 1).
///
/// Every value a change writes carries the change's dot, so a later write can say exactly which
/// values it has seen (and so supersedes) by its causal context.
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let replica: ReplicaID
    public let seq: UInt64

    public init(replica: ReplicaID, seq: UInt64) {
        self.replica = replica
        self.seq = seq
    }

    public var description: String { "\(replica.hex):\(seq)" }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.replica, lhs.seq) < (rhs.replica, rhs.seq)
    }
}
