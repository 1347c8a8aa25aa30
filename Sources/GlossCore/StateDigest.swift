import Crypto

/// SHA-256 over a canonical, two-level serialization of a whole `ReplicaState`.
///
/// Two replicas that hold the same changes have the same digest whatever order the changes
/// arrived in. Each entity has a canonical serialization (everything it holds: body or anchor,
/// every live sibling, every surviving tag add, every presence mark, sorted), hashed on its own;
/// the state digest hashes the entities' ids and hashes in id order. So a store can keep each
/// entity's hash beside it, updated when the entity changes, and compute the digest of any size
/// of state from 48 bytes per entity. Protocol/SPEC.md §8 gives the byte layout.
public enum StateDigest {
    public static func of(_ state: ReplicaState) -> [UInt8] {
        var builder = Builder(articleCount: state.articles.count)
        for article in state.articles.values.sorted(by: { $0.id < $1.id }) { builder.add(article) }
        builder.startAnnotations(count: state.annotations.count)
        for annotation in state.annotations.values.sorted(by: { $0.id < $1.id }) { builder.add(annotation) }
        return builder.finish()
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

    /// Computes the digest from entities (or their stored hashes) streamed in id order.
    ///
    ///     var builder = StateDigest.Builder(articleCount: 2)
    ///     builder.add(first); builder.add(second)          // ascending ids
    ///     builder.startAnnotations(count: 0)
    ///     let digest = builder.finish()
    public struct Builder {
        private var hasher = SHA256()
        private var out = CanonicalWriter()
        private var last: EntityID?

        public init(articleCount: Int) {
            out.string("gloss-state-v2")
            out.count(articleCount)
        }

        public mutating func add(_ article: ArticleState) {
            add(entity: article.id, hash: StateDigest.hash(of: article))
        }

        public mutating func startAnnotations(count: Int) {
            last = nil
            out.count(count)
        }

        public mutating func add(_ annotation: AnnotationState) {
            add(entity: annotation.id, hash: StateDigest.hash(of: annotation))
        }

        /// Adds an entity by its id and the hash `StateDigest.hash(of:)` gave it.
        public mutating func add(entity id: EntityID, hash: [UInt8]) {
            let added = id.bytes.withUnsafeBytes { id in hash.withUnsafeBytes { add(storedID: id, hash: $0) } }
            precondition(added, "entities must be added in ascending id order, each with a 32-byte hash")
        }

        /// Adds an entity by the bytes a store keeps for it, read in place: a 16-byte id and the
        /// 32-byte hash `StateDigest.hash(of:)` gave it. False, adding nothing, when either has
        /// another length or the id does not follow the last one added.
        ///
        /// This is `gloss status`'s hot loop at 100,000 annotations: no array per entity.
        public mutating func add(storedID id: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer) -> Bool {
            guard hash.count == 32, let entity = ID128(bytes: id), last.map({ $0 < entity }) ?? true else { return false }
            last = entity
            out.bytes.append(contentsOf: id)
            out.bytes.append(contentsOf: hash)
            if out.bytes.count >= 1 << 16 { flush() }
            return true
        }

        public mutating func finish() -> [UInt8] {
            flush()
            return Array(hasher.finalize())
        }

        private mutating func flush() {
            hasher.update(data: out.bytes)
            out.bytes.removeAll(keepingCapacity: true)
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
