import GlossCore

/// Random changes that the encoder accepts: any ids, strings and numbers, including the edges
/// (0, 127, 128, UInt64.max, empty and non-ASCII strings), so round trips reach every branch.
/// They need not satisfy the model rules: the codec does not check those.
struct RandomChanges {
    var generator: SeededGenerator
    let replicas: [ReplicaID]

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        let replicaCount = Int.random(in: 1...5, using: &generator)
        var replicas: [ReplicaID] = []
        for _ in 0..<replicaCount {
            replicas.append(ID128(high: generator.next(), low: generator.next()))
        }
        self.replicas = replicas
    }

    mutating func changes() -> [Change] {
        (0..<Int.random(in: 0...8, using: &generator)).map { _ in change() }
    }

    mutating func change() -> Change {
        let author = replicas.randomElement(using: &generator)!
        var dependencies = VersionVector()
        for replica in replicas where replica != author && Bool.random(using: &generator) {
            dependencies[replica] = max(1, number())
        }
        let operations = (0..<Int.random(in: 1...5, using: &generator)).map { _ in operation() }
        return Change(
            id: Dot(replica: author, seq: max(1, number())), dependencies: dependencies,
            time: number(), operations: operations)
    }

    mutating func operation() -> Operation {
        switch Int.random(in: 0..<7, using: &generator) {
        case 0: .createArticle(id: id(), body: string())
        case 1:
            .createAnnotation(
                id: id(), article: id(),
                anchor: Anchor(exact: string(), prefix: string(), suffix: string(), start: number(), end: number()))
        case 2: .set(entity: id(), field: Field.allCases.randomElement(using: &generator)!, value: string())
        case 3: .addTag(entity: id(), tag: string())
        case 4: .removeTag(entity: id(), tag: string())
        case 5: .deleteAnnotation(id: id())
        default: .keepAnnotation(id: id())
        }
    }

    mutating func id() -> ID128 { ID128(high: generator.next(), low: generator.next()) }

    /// Edge values a third of the time, otherwise values of every varint length.
    mutating func number() -> UInt64 {
        let edges: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, 1 << 63, .max]
        if Int.random(in: 0..<3, using: &generator) == 0 { return edges.randomElement(using: &generator)! }
        return generator.next() >> UInt64.random(in: 0...63, using: &generator)
    }

    mutating func string() -> String {
        let pieces = ["", "a", "tag", "é", "e\u{301}", "日本語", "🧊", "\u{0}", "\n", "“quoted”", String(repeating: "x", count: 200)]
        return (0..<Int.random(in: 0...3, using: &generator))
            .map { _ in pieces.randomElement(using: &generator)! }
            .joined()
    }
}
