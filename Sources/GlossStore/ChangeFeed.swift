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

    /// The next page: at most `changeLimit` changes and about `byteLimit` bytes (an estimate
    /// from the text and dependency sizes; one larger change goes alone). Nil after the page
    /// marked `isLast`.
    public mutating func next() throws(GlossStoreError) -> (changes: [Change], isLast: Bool)? {
        guard !finished else { return nil }
        let (changes, lastArrival, exhausted) = try store.page(since: since, after: arrival, changeLimit: changeLimit, byteLimit: byteLimit)
        arrival = lastArrival
        finished = exhausted
        return (changes, exhausted)
    }
}

extension GlossStore {
    /// A feed of the changes a peer holding `since` lacks.
    public func feed(since: VersionVector, changeLimit: Int = 1000, byteLimit: Int = 1 << 20) -> ChangeFeed {
        ChangeFeed(store: self, since: since, changeLimit: changeLimit, byteLimit: byteLimit)
    }

    func page(since: VersionVector, after arrival: Int64, changeLimit: Int, byteLimit: Int) throws(GlossStoreError) -> (
        [Change], Int64, Bool
    ) {
        try access {
            try database.read { db in
                let (lacking, lackingArguments) = try ChangeRows.lacking(since, in: db)
                // Pick the page by arrival first, then size it by the text it carries.
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.arrival AS arrival, length(c.dependencies) + (SELECT coalesce(sum(
                                coalesce(length(CAST(o.value AS BLOB)), 0) + coalesce(length(CAST(o.name AS BLOB)), 0)
                                + coalesce(length(CAST(o.prefix AS BLOB)), 0) + coalesce(length(CAST(o.suffix AS BLOB)), 0)), 0)
                            + 40 * count(*) FROM operation o WHERE o.replica = c.replica AND o.seq = c.seq) AS size
                        FROM change c WHERE c.arrival > ? AND \(lacking) ORDER BY c.arrival LIMIT \(changeLimit + 1)
                        """, arguments: [arrival] + lackingArguments)
                var taken = 0
                var bytes = 0
                for row in rows.prefix(changeLimit) {
                    let size: Int = row["size"]
                    if taken > 0 && bytes + size > byteLimit { break }
                    bytes += size
                    taken += 1
                }
                guard taken > 0 else { return ([], arrival, true) }
                let last: Int64 = rows[taken - 1]["arrival"]
                let changes = try ChangeRows.fetch(
                    db, where: "c.arrival > ? AND c.arrival <= ? AND \(lacking)", arguments: [arrival, last] + lackingArguments
                )
                return (changes, last, taken == rows.count)
            }
        }
    }
}
