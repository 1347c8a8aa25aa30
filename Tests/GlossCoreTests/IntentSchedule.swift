import GlossCore
import GlossTestSupport

/// One seeded schedule for the intent properties: 2–5 replicas start from one shared store,
/// state random intents while exchanging random slices of their logs (lossy, reordered,
/// duplicated), then each receives everything in an order of its own.
struct IntentSchedule {
    /// An intent as it was carried out: where, on what state, and the change it made (nil when
    /// GlossCore skipped it as changing nothing).
    struct Performed {
        let intent: any Intent
        let replica: ReplicaID
        let before: ReplicaState
        let change: Change?

        /// The dot the intent's change has, or would have had: a change that covers it saw the
        /// intent, one that does not was concurrent with it.
        var dot: Dot { change?.id ?? Dot(replica: replica, seq: before.clock[replica] + 1) }
    }

    let seed: UInt64
    private(set) var replicas: [SimulatedReplica]
    private(set) var performed: [Performed] = []

    init(seed: UInt64) throws {
        self.seed = seed
        var random = SplitMix64(seed: seed)
        var founder = SimulatedReplica(number: 1)
        try founder.perform(ImportIntent(articles: RandomEdits.texts.prefix(2).map { ImportIntent.Article(body: $0) }))
        for _ in 0..<3 {
            if let intent = RandomIntents.intent(on: founder.state, using: &random) { _ = try? founder.perform(intent) }
        }
        replicas = [founder]
        for number in 2...UInt64(2 + random.below(4)) {
            var replica = SimulatedReplica(number: number)
            try replica.receive(founder.log)
            replicas.append(replica)
        }
        for _ in 0..<(10 + random.below(30)) {
            let actor = random.below(replicas.count)
            if random.chance(70) {
                try perform(at: actor, using: &random)
            } else {
                let peer = random.below(replicas.count)
                try replicas[actor].receive(RandomHistory.sample(of: replicas[peer].log, using: &random))
            }
        }
        let everything = RandomHistory.union(replicas)
        for index in replicas.indices {
            var delivery = everything
            delivery.shuffle(using: &random)
            try replicas[index].receive(delivery)
        }
    }

    /// A random intent on one replica; one GlossCore refuses (a merge of overlapping edits, say)
    /// is recorded as nothing, as the person would see an error and try something else.
    private mutating func perform(at index: Int, using random: inout SplitMix64) throws {
        guard let intent = RandomIntents.intent(on: replicas[index].state, using: &random) else { return }
        let before = replicas[index].state
        let change: Change?
        do {
            change = try replicas[index].perform(intent)
        } catch is IntentError {
            return
        }
        performed.append(Performed(intent: intent, replica: replicas[index].id, before: before, change: change))
    }

    /// Every change any replica holds.
    var history: [Change] { RandomHistory.union(replicas) }
}
