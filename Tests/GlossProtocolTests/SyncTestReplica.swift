import GlossCore
import GlossProtocol

/// The store side of a sync session, without SQLite: a `ReplicaState` and its log in arrival
/// order, applying each received batch all or none as `GlossStore.apply` does.
///
/// (GlossTestSupport's `SimulatedReplica` would do, but this test target may not import that
/// module: Package.swift lists only GlossProtocol and GlossCore for it.)
struct SyncTestReplica: Sendable {
    let id: ReplicaID
    var name: String
    /// `SyncMessage.anyStore` until a cloning replica joins a store.
    var storeID: StoreID
    private(set) var state = ReplicaState()
    /// Every change held, in arrival order: a causal order, the order a feed sends them in.
    private(set) var log: [Change] = []
    private var held: [Dot: Change] = [:]
    private var tick: UInt64 = 0
    /// When set, the digest this replica reports instead of its real one (to fake a bug).
    var reportedDigestOverride: [UInt8]?

    init(number: UInt64, storeID: StoreID = SyncFixtures.store, name: String? = nil) {
        self.init(id: ID128(high: number, low: number &* 0x9E37_79B9), storeID: storeID, name: name ?? "replica \(number)")
    }

    /// A replica holding `log`, in that arrival order (each change must be ready in turn).
    init(id: ReplicaID, storeID: StoreID, name: String, log: [Change] = []) {
        self.id = id
        self.name = name
        self.storeID = storeID
        for change in log {
            _ = try! apply(batch: [change])
        }
    }

    var clock: VersionVector { state.clock }
    var digest: [UInt8] { reportedDigestOverride ?? StateDigest.of(state) }

    var local: SyncSession.Local {
        SyncSession.Local(storeID: storeID, replicaID: id, name: name, clock: clock, digest: digest)
    }

    /// The changes a peer holding `clock` lacks, from arrival position `start` on.
    func lacking(_ clock: VersionVector, from start: Int = 0) -> [(position: Int, change: Change)] {
        log.indices.dropFirst(start).filter { !clock.contains(log[$0].id) }.map { ($0, log[$0]) }
    }

    /// Applies a received batch in one step, as the store's transaction does: changes already
    /// held are skipped, the rest applied in causal order; if one is an equivocation, lacks its
    /// predecessors or breaks the model's rules, nothing is applied. Returns how many were new.
    mutating func apply(batch changes: [Change]) throws(ProtocolError) -> Int {
        var next = self
        var seen = held
        for change in changes {
            if let earlier = seen[change.id], earlier != change {
                throw ProtocolError(.equivocation, "two different changes numbered \(change.id)", at: 0)
            }
            seen[change.id] = change
        }
        let (ready, blocked) = CausalOrder.arrange(changes, after: next.state.clock)
        if let first = blocked.first {
            throw ProtocolError(.missingPredecessors, "change \(first.id) needs changes this replica lacks", at: 0)
        }
        for change in ready {
            do {
                try next.state.apply(change)
            } catch {
                throw ProtocolError(.invalidChange, error.message, at: 0)
            }
            next.log.append(change)
            next.held[change.id] = change
        }
        self = next
        return ready.count
    }

    /// Receives changes from anywhere in any order (for setting up histories), skipping what is
    /// held and holding back nothing: every change must be applicable once sorted.
    mutating func receive(_ changes: [Change]) throws {
        _ = try apply(batch: changes)
    }

    /// Writes one random local change of the kinds people make, racy ones included; nil when
    /// nothing sensible could be done from this state.
    @discardableResult
    mutating func editRandomly(using random: inout SeededGenerator) throws -> Change? {
        let dot = Dot(replica: id, seq: clock[id] + 1)
        guard let operations = randomOperations(at: dot, using: &random) else { return nil }
        tick += 1
        let change = Change(id: dot, dependencies: clock, time: 1_732_540_800_000 + tick, operations: operations)
        try state.apply(change)
        log.append(change)
        held[change.id] = change
        return change
    }

    static let texts = [
        "Swiss glaciers lost 4% of their volume in 2023.",
        "The first soldiers were deployed to Kursk Oblast in late October, according to HUR.",
        "Zürich council votes on the \u{1F4F0} budget; the mayor said \"soon\" twice: soon.",
    ]
    static let values = ["urgent", "check source", "verified", "", "follow up\nwith desk", "ok", "e\u{301}", "é"]
    static let tags = ["politics", "todo", "europe", "quote"]

    private func randomOperations(at dot: Dot, using random: inout SeededGenerator) -> [Operation]? {
        let articles = state.articles.keys.sorted()
        let alive = state.annotations.values.filter(\.presence.isAlive).map(\.id).sorted()
        func pick(_ choices: [String]) -> String { choices.randomElement(using: &random)! }
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            let body = pick(Self.texts)
            let id = ArticleText.id(of: body)
            return [.createArticle(id: id, body: body), .set(entity: id, field: .title, value: pick(Self.values))]
        case 1, 2:
            guard let articleID = articles.randomElement(using: &random), let article = state.articles[articleID] else { return nil }
            let scalars = Array(article.body.unicodeScalars)
            let start = Int.random(in: 0..<scalars.count - 1, using: &random)
            let end = start + 1 + Int.random(in: 0..<min(12, scalars.count - start), using: &random)
            let anchor = Anchor(exact: String(String.UnicodeScalarView(scalars[start..<end])), prefix: "", suffix: "",
                                start: UInt64(start), end: UInt64(end))
            let id = ID128.annotation(createdAt: dot, index: 0)
            return [.createAnnotation(id: id, article: articleID, anchor: anchor), .set(entity: id, field: .note, value: pick(Self.values))]
        case 3, 4:
            guard let id = alive.randomElement(using: &random) else { return nil }
            return [.set(entity: id, field: Bool.random(using: &random) ? .note : .color, value: pick(Self.values))]
        case 5:
            guard let id = articles.randomElement(using: &random) else { return nil }
            return [.set(entity: id, field: Bool.random(using: &random) ? .title : .source, value: pick(Self.values))]
        case 6:
            guard let id = (alive + articles).randomElement(using: &random) else { return nil }
            let tag = pick(Self.tags)
            return [Bool.random(using: &random) ? .addTag(entity: id, tag: tag) : .removeTag(entity: id, tag: tag)]
        case 7:
            guard let id = alive.randomElement(using: &random) else { return nil }
            return [.deleteAnnotation(id: id)]
        default:
            guard let conflict = state.conflicts.randomElement(using: &random) else { return nil }
            if conflict.field == Conflict.deletedField {
                return [Bool.random(using: &random) ? .keepAnnotation(id: conflict.entity) : .deleteAnnotation(id: conflict.entity)]
            }
            let value = conflict.values.randomElement(using: &random)!.value
            return [.set(entity: conflict.entity, field: Field(rawValue: conflict.field)!, value: value)]
        }
    }
}
