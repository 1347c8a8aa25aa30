import Crypto

/// A hash of a whole `ReplicaState` that a store can keep up to date, change by change.
///
/// Two replicas that hold the same changes have the same digest whatever order the changes
/// arrived in. Each entity has a canonical serialization (everything it holds: body or anchor,
/// every live sibling, every surviving tag add, every presence mark, sorted), hashed on its own.
/// The state digest adds up one 256-bit element per entity (`Sum`), so a store keeps the sum
/// beside its rows and, when an entity changes, takes out the element of its old hash and adds
/// the new one: the digest of any size of state costs one row to read. Protocol/SPEC.md §8
/// gives the byte layout.
///
/// The digest is for finding divergence, an implementation's bug: a sum of hashes is not a
/// commitment a malicious peer could not collide. What a peer sends is authenticated by the
/// signed history (SPEC §6.6), never by this.
public enum StateDigest {
    public static func of(_ state: ReplicaState) -> [UInt8] {
        var sum = Sum()
        for article in state.articles.values { sum.add(article) }
        for annotation in state.annotations.values { sum.add(annotation) }
        return sum.digest
    }

    public static func hex(of state: ReplicaState) -> String { hex(of(state)) }

    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
    }

    /// SHA-256 of an article's canonical serialization.
    public static func hash(of article: ArticleState) -> [UInt8] {
        var out = CanonicalWriter()
        out.article(article)
        return Array(SHA256.hash(data: out.bytes))
    }

    /// SHA-256 of an annotation's canonical serialization.
    public static func hash(of annotation: AnnotationState) -> [UInt8] {
        var out = CanonicalWriter()
        out.annotation(annotation)
        return Array(SHA256.hash(data: out.bytes))
    }

    /// The entities of a state as counts and a sum of one element per entity, modulo 2²⁵⁶, in
    /// any order: `add` what appears, `remove` what an entity's new hash replaces.
    ///
    ///     var sum = StateDigest.Sum()
    ///     sum.add(.article, id: article.id, hash: oldHash)
    ///     sum.remove(.article, id: article.id, hash: oldHash)   // the article changed
    ///     sum.add(.article, id: article.id, hash: newHash)
    ///     let digest = sum.digest
    public struct Sum: Equatable, Sendable {
        public private(set) var articles = 0
        public private(set) var annotations = 0
        /// Most significant limb first.
        private var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        public init() {}

        /// A sum as a store keeps it; nil if `total` is not 32 bytes or a count is negative.
        public init?(articles: Int, annotations: Int, total: [UInt8]) {
            guard total.count == 32, articles >= 0, annotations >= 0 else { return nil }
            self.articles = articles
            self.annotations = annotations
            limbs = total.withUnsafeBytes { Self.limbs(of: $0) }
        }

        /// The 256-bit sum, big-endian: what a store keeps beside the counts.
        public var total: [UInt8] {
            var out = CanonicalWriter()
            for limb in [limbs.0, limbs.1, limbs.2, limbs.3] { out.number(limb) }
            return out.bytes
        }

        /// SHA-256 of `text("gloss-state-v3") || u64(articles) || u64(annotations) || total`.
        public var digest: [UInt8] {
            var out = CanonicalWriter()
            out.string("gloss-state-v3")
            out.count(articles)
            out.count(annotations)
            out.bytes += total
            return Array(SHA256.hash(data: out.bytes))
        }

        public static func == (a: Sum, b: Sum) -> Bool { a.articles == b.articles && a.annotations == b.annotations && a.limbs == b.limbs }

        public mutating func add(_ article: ArticleState) { add(.article, id: article.id, hash: StateDigest.hash(of: article)) }

        public mutating func add(_ annotation: AnnotationState) {
            add(.annotation, id: annotation.id, hash: StateDigest.hash(of: annotation))
        }

        /// Adds the entity whose `StateDigest.hash` is `hash`.
        public mutating func add(_ kind: EntityKind, id: EntityID, hash: [UInt8]) {
            let added = id.bytes.withUnsafeBytes { id in hash.withUnsafeBytes { add(kind, storedID: id, hash: $0) } }
            precondition(added, "an entity's hash has 32 bytes")
        }

        /// Takes out an entity added with `hash` (its hash before it changed).
        public mutating func remove(_ kind: EntityKind, id: EntityID, hash: [UInt8]) {
            let removed = id.bytes.withUnsafeBytes { id in hash.withUnsafeBytes { remove(kind, storedID: id, hash: $0) } }
            precondition(removed, "an entity's hash has 32 bytes")
        }

        /// Adds an entity by the bytes a store keeps for it, read in place: a 16-byte id and
        /// its 32-byte hash. False, adding nothing, when either has another length.
        public mutating func add(_ kind: EntityKind, storedID id: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer) -> Bool {
            guard let element = Self.element(kind, id: id, hash: hash) else { return false }
            count(kind, by: 1)
            limbs = Self.adding(limbs, element)
            return true
        }

        /// Takes out an entity by the bytes a store kept for it. False when either has another
        /// length.
        public mutating func remove(_ kind: EntityKind, storedID id: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer) -> Bool {
            guard let element = Self.element(kind, id: id, hash: hash) else { return false }
            count(kind, by: -1)
            // a − e = a + (2²⁵⁶ − e) = a + (~e + 1), modulo 2²⁵⁶.
            let negated = Self.adding((~element.0, ~element.1, ~element.2, ~element.3), (0, 0, 0, 1))
            limbs = Self.adding(limbs, negated)
            return true
        }

        private mutating func count(_ kind: EntityKind, by step: Int) {
            switch kind {
            case .article: articles += step
            case .annotation: annotations += step
            }
        }

        /// SHA-256(u8(kind) || id || hash): kind 1 for an article, 2 for an annotation.
        private static func element(_ kind: EntityKind, id: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer)
            -> (UInt64, UInt64, UInt64, UInt64)?
        {
            guard id.count == 16, hash.count == 32 else { return nil }
            var hasher = SHA256()
            hasher.update(data: [kind == .article ? 1 : 2] as [UInt8])
            hasher.update(bufferPointer: id)
            hasher.update(bufferPointer: hash)
            return hasher.finalize().withUnsafeBytes { limbs(of: $0) }
        }

        private static func limbs(of bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64) {
            func limb(_ index: Int) -> UInt64 {
                (0..<8).reduce(0) { $0 << 8 | UInt64(bytes[index * 8 + $1]) }
            }
            return (limb(0), limb(1), limb(2), limb(3))
        }

        private static func adding(_ a: (UInt64, UInt64, UInt64, UInt64), _ b: (UInt64, UInt64, UInt64, UInt64))
            -> (UInt64, UInt64, UInt64, UInt64)
        {
            let (d, carry3) = a.3.addingReportingOverflow(b.3)
            let (c0, c0Overflow) = a.2.addingReportingOverflow(b.2)
            let (c, c1Overflow) = c0.addingReportingOverflow(carry3 ? 1 : 0)
            let carry2 = c0Overflow || c1Overflow
            let (b0, b0Overflow) = a.1.addingReportingOverflow(b.1)
            let (bb, b1Overflow) = b0.addingReportingOverflow(carry2 ? 1 : 0)
            let carry1 = b0Overflow || b1Overflow
            let a0 = a.0 &+ b.0 &+ (carry1 ? 1 : 0)
            return (a0, bb, c, d)
        }
    }
}

/// Fixed-width big-endian numbers and length-prefixed UTF-8: simple to reproduce exactly.
struct CanonicalWriter {
    var bytes: [UInt8] = []

    mutating func article(_ article: ArticleState) {
        id(article.id)
        string(article.body)
        registers(article.registers)
        tags(article.tags)
        // Revisions are appended only when there are some, so the hash of an article without
        // (every article before revisions existed) is what it was.
        guard !article.revisions.isEmpty else { return }
        count(article.revisions.count)
        for (revision, added) in article.revisions.sorted(by: { $0.key < $1.key }) {
            id(revision)
            string(added.body)
            string(added.note)
            dot(added.dot)
            number(added.time)
        }
    }

    mutating func annotation(_ annotation: AnnotationState) {
        id(annotation.id)
        id(annotation.article)
        string(annotation.anchor.exact)
        string(annotation.anchor.prefix)
        string(annotation.anchor.suffix)
        number(annotation.anchor.start)
        number(annotation.anchor.end)
        registers(annotation.registers)
        tags(annotation.tags)
        count(annotation.presence.entries.count)
        for entry in annotation.presence.entries {
            dot(entry.dot)
            number(entry.mark == .alive ? 1 : 2)
            number(entry.time)
        }
        // Likewise the revision an annotation was made on, when it is not the first text.
        if let revision = annotation.anchor.revision { id(revision) }
    }

    mutating func number(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func count(_ value: Int) { number(UInt64(value)) }

    mutating func string(_ value: String) {
        count(value.utf8.count)
        bytes += value.utf8
    }

    mutating func id(_ value: ID128) { bytes += value.bytes }

    mutating func dot(_ value: Dot) {
        id(value.replica)
        number(value.seq)
    }

    mutating func registers(_ registers: [Field: MultiValueRegister]) {
        let written = registers.filter { !$0.value.values.isEmpty }.sorted { $0.key < $1.key }
        count(written.count)
        for (field, register) in written {
            string(field.rawValue)
            count(register.values.count)
            for value in register.values {
                dot(value.dot)
                number(value.time)
                string(value.value)
            }
        }
    }

    mutating func tags(_ tags: AddWinsSet) {
        let sorted = tags.adds.sorted { $0.key < $1.key }
        count(sorted.count)
        for (tag, dots) in sorted {
            string(tag.string)
            count(dots.count)
            for value in dots.sorted() { dot(value) }
        }
    }
}
