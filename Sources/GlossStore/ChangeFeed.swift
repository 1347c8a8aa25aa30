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
    let quotesByPosition: Bool
    private var arrival: Int64 = 0
    private var finished = false

    init(store: GlossStore, since: VersionVector, changeLimit: Int, byteLimit: Int, quotesByPosition: Bool) {
        self.store = store
        self.since = since
        self.changeLimit = changeLimit
        self.byteLimit = byteLimit
        self.quotesByPosition = quotesByPosition
    }

    /// The next page, signed: at most `changeLimit` changes and `byteLimit` bytes as the batch
    /// encodes them (`PageCut`), cut where every other author's last change
    /// in it is one this store holds a signature for. One larger change, or one run received
    /// whole, goes alone. Nil after the page marked `isLast`.
    ///
    /// `byteLimit`, when given, replaces the feed's own for this page: a session sizes each
    /// batch to the link it measured.
    public mutating func next(byteLimit: Int? = nil) throws(GlossStoreError) -> (batch: SignedBatch, isLast: Bool)? {
        guard !finished else { return nil }
        let (batch, lastArrival, exhausted) = try store.page(
            since: since, after: arrival, changeLimit: changeLimit, byteLimit: byteLimit ?? self.byteLimit,
            quotesByPosition: quotesByPosition)
        arrival = lastArrival
        finished = exhausted
        return (batch, exhausted)
    }
}

extension GlossStore {
    /// A feed of the changes a peer holding `since` lacks. With `quotesByPosition` (the peer
    /// named the capability, SPEC §11.4.2b) each anchor the article's text rebuilds goes in its
    /// wire form by position, and pages are sized by what is then sent.
    public func feed(since: VersionVector, changeLimit: Int = 1000, byteLimit: Int = 1 << 20, quotesByPosition: Bool = false)
        -> ChangeFeed
    {
        ChangeFeed(store: self, since: since, changeLimit: changeLimit, byteLimit: byteLimit, quotesByPosition: quotesByPosition)
    }

    func page(since: VersionVector, after arrival: Int64, changeLimit: Int, byteLimit: Int, quotesByPosition: Bool) throws(GlossStoreError)
        -> (
            SignedBatch, Int64, Bool
        )
    {
        let key = try replicaKey()
        return try access {
            try database.read { db in
                let (lacking, lackingArguments, after) = try ChangeRows.lacking(since, in: db)
                let own = try ReplicaOrdinals.ordinal(of: identity.replicaID, in: db)
                var cut = PageCut(changeLimit: changeLimit, byteLimit: byteLimit, own: identity.replicaID)
                var articles = ArticleScalars { id in try Self.body(of: id, in: db) }
                var taken: [Change] = []
                var position = max(arrival, after)
                var more = false
                // Read in growing chunks, measuring each change by its encoding, until the page
                // is full: at most one chunk is read past the cut.
                var chunk = 32
                scan: while true {
                    let limit = max(1, min(chunk, changeLimit - cut.taken + 1))
                    let rows = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT c.arrival AS arrival, c.replica AS replica,
                                c.replica = ? OR EXISTS (SELECT 1 FROM checkpoint k WHERE k.replica = c.replica AND k.seq = c.seq) AS signed
                            FROM change c WHERE c.arrival > ? AND \(lacking) ORDER BY c.arrival LIMIT ?
                            """, arguments: [own, position] + lackingArguments + [limit])
                    guard let end: Int64 = rows.last?["arrival"] else { break }
                    let changes = try ChangeRows.fetch(
                        db, where: "c.arrival > ? AND c.arrival <= ? AND \(lacking)", arguments: [position, end] + lackingArguments)
                    for (row, held) in zip(rows, changes) {
                        let change = quotesByPosition ? try held.sendingQuotesByPosition(&articles) : held
                        let size = cut.encodedSize(of: change, signed: row["signed"])
                        guard cut.accepts(size: size) else {
                            more = true
                            break scan
                        }
                        cut.take(change, arrival: row["arrival"], author: row["replica"], signed: row["signed"], size: size)
                        taken.append(change)
                    }
                    guard rows.count == limit else { break }
                    position = end
                    chunk = min(2 * chunk, 1024)
                }
                let exhausted = !more && cut.taken == cut.boundary
                guard let last = cut.lastArrival else {
                    if cut.taken > 0 { throw SignatureRows.unsigned(try ReplicaOrdinals.all(in: db)[cut.openAuthor!]!) }
                    return (.empty, arrival, true)
                }
                let changes = Array(taken.prefix(cut.boundary))
                let runs = try SignatureRows.runs(signing: changes, store: identity.storeID, key: key, in: db)
                return (SignedBatch(changes: changes, runs: runs), last, exhausted)
            }
        }
    }
}

/// Where a page of the feed ends: after the limits are reached, at the last point where no
/// author is left open (every author's last change so far carries a signature here), so every
/// run in the page can be signed. A run received whole is never split.
///
/// Bytes are counted as the signed batch encodes them (SPEC §6.1, §6.6): each change's own
/// encoding, a replica table entry for each replica the page names, a run for each author, and
/// the run's checkpoints (another author's: each stored one; this replica's own: at the end and
/// every `SignatureRows.ownCheckpointInterval`). A table of 128 replicas or more takes a second
/// byte per index, so past that the count is short by a byte a reference.
struct PageCut {
    let changeLimit: Int
    let byteLimit: Int
    /// This replica: its runs are signed afresh, not from stored checkpoints.
    let own: ReplicaID
    private(set) var taken = 0
    /// The table's and the batch's counts (varints), then what each change adds.
    private(set) var bytes = 5
    /// Changes taken up to the last point where every run could be signed.
    private(set) var boundary = 0
    private(set) var lastArrival: Int64?
    private var open: Set<Int64> = []
    private(set) var openAuthor: Int64?
    private var named: Set<ReplicaID> = []
    private var authors: Set<ReplicaID> = []

    /// A run's head: author index, key, base chain hash, checkpoint count (2 bytes: a run of a
    /// page may hold 128 checkpoints or more).
    static let runHeadSize = 1 + 32 + ChainHash.length + 2

    init(changeLimit: Int, byteLimit: Int, own: ReplicaID) {
        self.changeLimit = changeLimit
        self.byteLimit = byteLimit
        self.own = own
    }

    /// What `change` adds to the page's encoding: its own bytes, table entries for replicas the
    /// page does not name yet, a run head if its author is new to the page, and a checkpoint if
    /// one will be sent at it (`signed`: a stored one, for another author's change).
    func encodedSize(of change: Change, signed: Bool) -> Int {
        let table = ReplicaTable(covering: [change])
        var writer = WireWriter()
        writer.writeChange(change, in: table)
        let newReplicas = table.replicas.filter { !named.contains($0) }.count
        let isNewAuthor = !authors.contains(change.id.replica)
        let seq = change.id.seq
        // This replica's own run is signed at its end and at each multiple of the interval before
        // it (SignatureRows.runs): taking seq makes seq − 1 such a point when it is a multiple.
        let checkpointed =
            change.id.replica == own
            ? isNewAuthor || (seq - 1) % SignatureRows.ownCheckpointInterval == 0
            : signed
        var checkpoint = WireWriter()
        checkpoint.writeVarint(seq)
        return writer.bytes.count + newReplicas * ReplicaTable.entrySize + (isNewAuthor ? Self.runHeadSize : 0)
            + (checkpointed ? checkpoint.bytes.count + Checkpoint.signatureLength : 0)
    }

    /// True while the page should take a change of `size` bytes: under the limits, or with no
    /// point found yet where every run can be signed.
    func accepts(size: Int) -> Bool {
        boundary == 0 || (taken < changeLimit && bytes + size <= byteLimit)
    }

    mutating func take(_ change: Change, arrival: Int64, author: Int64, signed: Bool, size: Int) {
        taken += 1
        bytes += size
        named.formUnion(ReplicaTable(covering: [change]).replicas)
        authors.insert(change.id.replica)
        if signed { open.remove(author) } else { open.insert(author) }
        openAuthor = open.first
        if open.isEmpty {
            boundary = taken
            lastArrival = arrival
        }
    }
}
