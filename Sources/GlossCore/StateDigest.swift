import Crypto

/// SHA-256 over the canonical serialization of a whole `ReplicaState`.
///
/// Two replicas that hold the same changes have the same digest whatever order the changes
/// arrived in: the serialization sorts everything (articles and annotations by id, fields by
/// name, values and dots by dot, tags by their UTF-8 bytes) and includes every live sibling,
/// every surviving tag add and every presence mark. Protocol/SPEC.md gives the byte layout so
/// another implementation can compute the same digest.
public enum StateDigest {
    public static func of(_ state: ReplicaState) -> [UInt8] {
        Array(SHA256.hash(data: canonicalBytes(of: state)))
    }

    public static func hex(of state: ReplicaState) -> String {
        of(state).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }.joined()
    }

    public static func canonicalBytes(of state: ReplicaState) -> [UInt8] {
        var out = CanonicalWriter()
        out.string("gloss-state-v1")
        let articles = state.articles.values.sorted { $0.id < $1.id }
        out.count(articles.count)
        for article in articles {
            out.id(article.id)
            out.string(article.body)
            out.registers(article.registers)
            out.tags(article.tags)
        }
        let annotations = state.annotations.values.sorted { $0.id < $1.id }
        out.count(annotations.count)
        for annotation in annotations {
            out.id(annotation.id)
            out.id(annotation.article)
            out.string(annotation.anchor.exact)
            out.string(annotation.anchor.prefix)
            out.string(annotation.anchor.suffix)
            out.number(annotation.anchor.start)
            out.number(annotation.anchor.end)
            out.registers(annotation.registers)
            out.tags(annotation.tags)
            out.count(annotation.presence.entries.count)
            for entry in annotation.presence.entries {
                out.dot(entry.dot)
                out.number(entry.mark == .alive ? 1 : 2)
                out.number(entry.time)
            }
        }
        return out.bytes
    }
}

/// Fixed-width big-endian numbers and length-prefixed UTF-8: simple to reproduce exactly.
struct CanonicalWriter {
    var bytes: [UInt8] = []

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
