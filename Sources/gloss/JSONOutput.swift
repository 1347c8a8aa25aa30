import Foundation
import GlossCore

/// Prints `value` as JSON: keys sorted, so the output is stable and diffs cleanly.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    // On a terminal, what JSON leaves raw but a terminal acts on is escaped too.
    let shown = isatty(STDOUT_FILENO) == 1 ? Data(Terminal.safeJSON(String(decoding: data, as: UTF8.self)).utf8) : data
    FileHandle.standardOutput.write(shown + Data("\n".utf8))
}

/// ISO 8601 in UTC, to the second: how times are shown, in text and in JSON.
func formatTime(_ milliseconds: UInt64) -> String {
    timeFormatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
}

/// One formatter for the process (making one per time cost more than the log's queries).
nonisolated(unsafe) private let timeFormatter: ISO8601DateFormatter = {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter
}()

/// A version vector as a JSON object, replica id -> count: what `status --json` prints and
/// `bundle create --since` reads back.
func clockJSON(_ clock: VersionVector) -> [String: UInt64] {
    Dictionary(uniqueKeysWithValues: clock.sortedEntries.map { ($0.replica.hex, $0.seq) })
}

func parseClock(_ text: String) throws -> VersionVector {
    guard let data = text.data(using: .utf8),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw CLIError("--since takes a version vector as JSON, as 'gloss status --json' prints it: {\"<replica id>\": <count>, ...}") }
    var clock = VersionVector()
    for (key, value) in object {
        guard let replica = ID128(hex: key), let count = value as? NSNumber, count.int64Value >= 0,
            count.doubleValue == Double(count.int64Value)
        else { throw CLIError("--since: '\(key)' is not a replica id with a whole count") }
        clock[replica] = UInt64(count.int64Value)
    }
    return clock
}

/// An optional that JSON-encodes as `null` instead of being left out, so every `--json` object
/// always has the same keys.
struct OrNull<Wrapped: Encodable>: Encodable {
    let value: Wrapped?

    init(_ value: Wrapped?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
