import GlossTestSupport

/// The peer benchmark's workload (shared/bench/PEERS.md), generated from the same splitmix64
/// stream in the same order as the reference `workload.py`, so Gloss, Yrs and Loro see
/// identical data. `expectedStateDigest` is the reference's cross-check.
struct Workload {
    struct Article {
        let title: String
        let source: String
        let body: String
    }
    struct Annotation {
        let article: Int
        let offset: Int
        let quote: String
        let note: String
        let color: String
        let tags: [String]
    }
    struct Update {
        let annotation: Int
        let field: String
        let value: String
    }
    struct ConflictPair {
        let annotation: Int
        let field: String
        let a: String
        let b: String
    }

    static let sources = [
        "reuters.com", "apnews.com", "bbc.co.uk", "nytimes.com", "theguardian.com", "lemonde.fr", "spiegel.de", "asahi.com",
    ]
    static let colors = ["yellow", "green", "blue", "pink", "purple", "orange"]
    static let tags = [
        "politics", "economy", "climate", "tech", "science", "health", "sports", "culture",
        "europe", "asia", "americas", "africa", "todo", "important", "quote", "followup",
    ]

    var random: SplitMix64
    var vocabulary: [String] = []
    var articles: [Article] = []
    var annotations: [Annotation] = []
    var updates: [Update] = []
    var rounds: [[ConflictPair]] = []

    init(
        articles articleCount: Int, annotations annotationCount: Int, updates updateCount: Int, incremental: Int, rounds roundCount: Int,
        seed: UInt64
    ) {
        random = SplitMix64(seed: seed)
        let consonants = Array("bcdfghjklmnprstvwz")
        let vowels = Array("aeiou")
        for _ in 0..<512 {
            var word = ""
            for _ in 0..<(1 + random.below(3)) {
                word.append(consonants[random.below(18)])
                word.append(vowels[random.below(5)])
            }
            vocabulary.append(word)
        }
        for _ in 0..<articleCount {
            let title = text(60)
            let source = Self.sources[random.below(8)]
            articles.append(Article(title: title, source: source, body: text(2000)))
        }
        for _ in 0..<annotationCount {
            let article = random.below(articleCount)
            let offset = random.below(2000 - 60 + 1)
            let body = Array(articles[article].body.utf8)
            let quote = String(decoding: body[offset..<offset + 60], as: UTF8.self)
            let note = text(80)
            let color = Self.colors[random.below(6)]
            var tags: [String] = []
            while tags.count < 3 {
                let tag = Self.tags[random.below(16)]
                if !tags.contains(tag) { tags.append(tag) }
            }
            annotations.append(Annotation(article: article, offset: offset, quote: quote, note: note, color: color, tags: tags))
        }
        for _ in 0..<updateCount {
            let annotation = random.below(annotationCount)
            if random.below(2) == 0 {
                updates.append(Update(annotation: annotation, field: "note", value: text(80)))
            } else {
                updates.append(Update(annotation: annotation, field: "color", value: Self.colors[random.below(6)]))
            }
        }
        for _ in 0..<roundCount {
            var pairs: [ConflictPair] = []
            for _ in 0..<incremental {
                let annotation = random.below(annotationCount)
                let field = random.below(2) == 0 ? "note" : "color"
                let a = field == "note" ? text(80) : Self.colors[random.below(6)]
                let b = field == "note" ? text(80) : Self.colors[random.below(6)]
                pairs.append(ConflictPair(annotation: annotation, field: field, a: a, b: b))
            }
            rounds.append(pairs)
        }
    }

    /// Words from the vocabulary until at least `length` characters, cut to exactly `length`.
    mutating func text(_ length: Int) -> String {
        var words: [String] = []
        var total = -1
        while total < length {
            let word = vocabulary[random.below(512)]
            words.append(word)
            total += word.count + 1
        }
        return String(words.joined(separator: " ").prefix(length))
    }

    /// Field operations as the peers count them: 4 per article, 9 per annotation, 1 per update.
    var operationCount: Int { 4 * articles.count + 9 * annotations.count + updates.count }
}
