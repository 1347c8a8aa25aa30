import Foundation
import Testing

/// A store as far as a user can tell: the digest and clock `status --json` prints, and the
/// bytes of its files (`store.sqlite` and any `-wal`/`-shm` beside it).
///
/// Every `gloss` command, even a read such as `status` or a command that fails, opens the store
/// with a GRDB `DatabasePool`, which creates and drops a scratch table when it finds no WAL file
/// (groue/GRDB.swift#102). The first time after `init` that leaves one more (free) page; every
/// time it bumps three counters in the SQLite header. So a snapshot is taken after a `status`,
/// those 12 header bytes are masked, and every other byte must stay the same.
struct StoreSnapshot: Equatable, CustomStringConvertible {
    let digest: String
    let clock: [String: Int]
    let files: [String: [UInt8]]

    /// The file change counter, the schema cookie and the version-valid-for number.
    static let headerCounters = [24..<28, 40..<44, 92..<96]

    static func files(of store: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for suffix in ["", "-wal", "-shm", "-journal"] {
            guard var bytes = FileManager.default.contents(atPath: store + suffix).map({ [UInt8]($0) }) else { continue }
            if suffix.isEmpty && bytes.count >= 100 && bytes.starts(with: Array("SQLite format 3\0".utf8)) {
                for range in headerCounters { bytes.replaceSubrange(range, with: repeatElement(0, count: range.count)) }
            }
            files["store" + suffix] = bytes
        }
        return files
    }

    var description: String {
        "digest \(digest), clock \(clock), files " + files.keys.sorted().map { "\($0): \(files[$0]!.count) bytes" }.joined(separator: ", ")
    }
}

/// A file as found on disk: absent, a directory, or its exact bytes.
enum FileState: Equatable, CustomStringConvertible {
    case absent
    case directory
    case file([UInt8])

    init(path: String) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            self = .absent
        } else if isDirectory.boolValue {
            self = .directory
        } else {
            self = .file([UInt8](FileManager.default.contents(atPath: path) ?? Data()))
        }
    }

    var description: String {
        switch self {
        case .absent: "absent"
        case .directory: "a directory"
        case .file(let bytes): "a file of \(bytes.count) bytes"
        }
    }
}

/// Decodes a command's stdout as a JSON object.
func jsonObject(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(result.stdoutBytes), options: [.fragmentsAllowed])
    return try #require(value as? [String: Any], "not a JSON object: \(result)", sourceLocation: sourceLocation)
}

/// Decodes a command's stdout as a JSON array of objects.
func jsonArray(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
    let value = try JSONSerialization.jsonObject(with: Data(result.stdoutBytes), options: [.fragmentsAllowed])
    return try #require(value as? [[String: Any]], "not a JSON array of objects: \(result)", sourceLocation: sourceLocation)
}

/// A failure as the CLI promises it: a non-zero exit (not a crash), nothing on stdout, and
/// exactly one non-empty line on stderr that contains each of `fragments`.
func expectCleanFailure(
    _ result: CommandResult, mentioning fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(!result.signaled && result.status != 0, "should fail with a non-zero exit: \(result)", sourceLocation: sourceLocation)
    #expect(result.stdoutBytes.isEmpty, "stdout should be empty: \(result)", sourceLocation: sourceLocation)
    let lines = result.stderrLines
    #expect(
        lines.count == 1 && result.stderr.hasSuffix("\n") && !lines[0].trimmingCharacters(in: .whitespaces).isEmpty,
        "stderr should be exactly one non-empty line: \(result)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(
            result.stderr.contains(fragment), "stderr should mention \(fragment.debugDescription): \(result)",
            sourceLocation: sourceLocation)
    }
}

/// The JSON value `key` of `object` as a string, for messages and comparisons.
func string(_ object: [String: Any], _ key: String) -> String? { object[key] as? String }
