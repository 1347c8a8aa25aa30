import Foundation
import GRDB
import GlossCore

/// The changes a peer lacks, read from the store a page at a time in causal (arrival) order,
/// so a sync of any size holds only one page in memory.
///
///     var feed = store.feed(since: peerClock)
///     while let page = try feed.next() { send(page.changes, isLast: page.isLast) }
public struct ChangeFeed: Sendable {
    let store: GlossStore
    let since: VersionVector
    let changeLimit: Int
    let byteLimit: Int
    private var arrival: Int64 = 0
    private var finished = false

    init(store: GlossStore, since: VersionVector, changeLimit: Int, byteLimit: Int) {
        self.store = store
        self.since = since
        self.changeLimit = changeLimit
        self.byteLimit = byteLimit
    }

    /// The next page, signed: at most `changeLimit` changes and about `byteLimit` bytes (an
    /// estimate from the text and dependency sizes), cut where every other author's last change
    /// in it is one this store holds a signature for. One larger change, or one run received
    /// whole, goes alone. Nil after the page marked `isLast`.
    ///
    /// `byteLimit`, when given, replaces the feed's own for this page: a session sizes each
    /// batch to the link it measured.
    public mutating func next(byteLimit: Int? = nil) throws(GlossStoreError) -> (batch: SignedBatch, isLast: Bool)? {
        guard !finished else { return nil }
        let (batch, lastArrival, exhausted) = try store.page(
            since: since, after: arrival, changeLimit: changeLimit, byteLimit: byteLimit ?? self.byteLimit)
        arrival = lastArrival
        finished = exhausted
        return (batch, exhausted)
    }
}

extension GlossStore {
    /// A feed of the changes a peer holding `since` lacks.
    public func feed(since: VersionVector, changeLimit: Int = 1000, byteLimit: Int = 1 << 20) -> ChangeFeed {
        ChangeFeed(store: self, since: since, changeLimit: changeLimit, byteLimit: byteLimit)
    }

    func page(since: VersionVector, after arrival: Int64, changeLimit: Int, byteLimit: Int) throws(GlossStoreError) -> (
        SignedBatch, Int64, Bool
    ) {
        let key = try replicaKey()
        return try access {
            try database.read { db in
                let (lacking, lackingArguments) = try ChangeRows.lacking(since, in: db)
                let own = try ReplicaOrdinals.ordinal(of: identity.replicaID, in: db)
                // Pick the page by arrival first, then size it by the text it carries.
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT c.arrival AS arrival, c.replica AS replica,
                            c.replica = ? OR EXISTS (SELECT 1 FROM checkpoint k WHERE k.replica = c.replica AND k.seq = c.seq) AS signed,
                            length(c.dependencies) + (SELECT coalesce(sum(
                                coalesce(length(CAST(o.value AS BLOB)), 0) + coalesce(length(CAST(o.name AS BLOB)), 0)
                                + coalesce(length(CAST(o.prefix AS BLOB)), 0) + coalesce(length(CAST(o.suffix AS BLOB)), 0)), 0)
                            + 40 * count(*) FROM operation o WHERE o.replica = c.replica AND o.seq = c.seq) AS size
                        FROM change c WHERE c.arrival > ? AND \(lacking) ORDER BY c.arrival
                        """, arguments: [own, arrival] + lackingArguments)
                var cut = PageCut(changeLimit: changeLimit, byteLimit: byteLimit)
                var more = false
                while let row = try rows.next() {
                    guard cut.accepts(size: row["size"]) else {
                        more = true
                        break
                    }
                    cut.take(arrival: row["arrival"], author: row["replica"], signed: row["signed"], size: row["size"])
                }
                let exhausted = !more && cut.taken == cut.boundary
                guard let last = cut.lastArrival else {
                    if cut.taken > 0 { throw SignatureRows.unsigned(try ReplicaOrdinals.all(in: db)[cut.openAuthor!]!) }
                    return (.empty, arrival, true)
                }
                let changes = try ChangeRows.fetch(
                    db, where: "c.arrival > ? AND c.arrival <= ? AND \(lacking)", arguments: [arrival, last] + lackingArguments
                )
                let runs = try SignatureRows.runs(signing: changes, store: identity.storeID, key: key, in: db)
                return (SignedBatch(changes: changes, runs: runs), last, exhausted)
            }
        }
    }
}

/// Where a page of the feed ends: after the limits are reached, at the last point where no
/// author is left open (every author's last change so far carries a signature here), so every
/// run in the page can be signed. A run received whole is never split.
struct PageCut {
    let changeLimit: Int
    let byteLimit: Int
    private(set) var taken = 0
    private var bytes = 0
    /// Changes taken up to the last point where every run could be signed.
    private(set) var boundary = 0
    private(set) var lastArrival: Int64?
    private var open: Set<Int64> = []
    private(set) var openAuthor: Int64?

    init(changeLimit: Int, byteLimit: Int) {
        self.changeLimit = changeLimit
        self.byteLimit = byteLimit
    }

    /// True while the page should take a change of `size` bytes: under the limits, or with no
    /// point found yet where every run can be signed.
    func accepts(size: Int) -> Bool {
        boundary == 0 || (taken < changeLimit && bytes + size <= byteLimit)
    }

    mutating func take(arrival: Int64, author: Int64, signed: Bool, size: Int) {
        taken += 1
        bytes += size
        if signed { open.remove(author) } else { open.insert(author) }
        openAuthor = open.first
        if open.isEmpty {
            boundary = taken
            lastArrival = arrival
        }
    }
}
