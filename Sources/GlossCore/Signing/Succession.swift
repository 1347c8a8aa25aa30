/// An earlier key of a replica vouching that the replica now writes under a new id (SPEC
/// §11.4.1): how a store restored from a backup, or copied, keeps the trust its old id had. The
/// old key signs
///
///     "gloss-succession-v1" || 0x00 || store id || old replica id || new replica id
///
/// A replica that was re-keyed more than once presents the whole list, oldest first.
public struct Succession: Hashable, Sendable {
    static let domain = Array("gloss-succession-v1\0".utf8)

    /// The earlier key; its hash is the earlier replica id.
    public var key: AuthorKey
    public var signature: [UInt8]

    public init(key: AuthorKey, signature: [UInt8]) {
        self.key = key
        self.signature = signature
    }

    /// The bytes the old key signs.
    public static func message(store: StoreID, from old: ReplicaID, to new: ReplicaID) -> [UInt8] {
        domain + store.bytes + old.bytes + new.bytes
    }

    /// The earlier replica ids, oldest first, that `statements` prove `replica` succeeds in
    /// `store`; nil unless every statement verifies and each hands over to the next (the last to
    /// `replica`).
    public static func predecessors(of replica: ReplicaID, in store: StoreID, _ statements: [Succession]) -> [ReplicaID]? {
        var predecessors: [ReplicaID] = []
        for (index, statement) in statements.enumerated() {
            let old = statement.key.replicaID
            let next = index + 1 < statements.count ? statements[index + 1].key.replicaID : replica
            guard statement.key.verifies(statement.signature, of: message(store: store, from: old, to: next)) else { return nil }
            predecessors.append(old)
        }
        return predecessors
    }
}
