import ArgumentParser
import Foundation
import GlossCore
import GlossProtocol
import GlossStore

struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Exchange changes offline, as files (like 'git bundle').",
        subcommands: [Create.self, Apply.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Write the changes a peer lacks to a bundle file (all of them by default).",
            discussion: "--since takes the peer's version vector, the \"clock\" that 'gloss status --json' prints there."
        )

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The bundle file to write.", completion: .file()) var file: String
        @Option(help: "The peer's version vector as JSON; only changes it lacks are written.") var since: String?

        func run() async throws {
            let clock = try since.map(parseClock) ?? VersionVector()
            let store = try storeOptions.openForReading()
            try refuseToOverwriteNonBundle(file, store: store)
            let batch = try reportingErrors { try store.signedChanges(since: clock) }
            let changes = batch.changes
            let bytes = ChangeBundle(storeID: store.identity.storeID, batch: batch).encoded()
            try writeAtomically(Data(bytes), to: file)
            print("Wrote \(counted(changes.count, "change")) (\(bytes.count) bytes) to \(Terminal.singleLine(file)).")
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply a bundle file, a slice of about 500 changes at a time; one that does not verify writes nothing."
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The bundle file to read.", completion: .file()) var file: String

        func run() async throws {
            let store = try storeOptions.open()
            let bundle = try readBundle(file)
            // Conflicts are counted by query: no need to load the whole state twice.
            let before = try reportingErrors { try store.conflictCount() }
            let report = try applyBundle(bundle, to: store, file: file)
            let after = try reportingErrors { try store.conflictCount() }
            if output.json {
                let clock = try reportingErrors { try store.clock() }
                return try printJSON(
                    BundleReport(
                        applied: report.applied, alreadyHeld: report.alreadyHeld,
                        conflicts: after, clock: clockJSON(clock)))
            }
            var line = "Applied \(counted(report.applied, "new change"))"
            if report.alreadyHeld > 0 { line += " (\(report.alreadyHeld) already held)" }
            let newConflicts = after - before
            line += newConflictsNote(newConflicts)
            print(line + ".")
        }
    }
}

struct BundleReport: Encodable {
    let applied: Int
    let alreadyHeld: Int
    let conflicts: Int
    let clock: [String: UInt64]

    enum CodingKeys: String, CodingKey {
        case applied, conflicts, clock
        case alreadyHeld = "already_held"
    }
}

/// `bundle create` replaces an older bundle at FILE, but never the store or any other file.
func refuseToOverwriteNonBundle(_ file: String, store: GlossStore) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { return }
    let shown = Terminal.singleLine(file)
    if isDirectory.boolValue { throw CLIError("\(shown) is a directory; name the bundle file to write, e.g. \(shown)/notes.bundle") }
    let target = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
    if target == URL(fileURLWithPath: store.path).resolvingSymlinksInPath().path {
        throw CLIError("\(shown) is the store itself; write the bundle to another file")
    }
    let handle = try? FileHandle(forReadingFrom: URL(fileURLWithPath: file))
    let start = try? handle?.read(upToCount: ChangeBundle.magic.count)
    try? handle?.close()
    guard start == Data(ChangeBundle.magic) else {
        throw CLIError("\(shown) exists and is not a Gloss bundle; refusing to overwrite it")
    }
}

/// Reads and decodes a bundle file; any fault is one line naming the file.
func readBundle(_ file: String) throws -> ChangeBundle {
    let shown = Terminal.singleLine(file)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
        throw CLIError("cannot read bundle \(shown): it is a directory")
    }
    guard let data = FileManager.default.contents(atPath: file) else {
        let reason = FileManager.default.fileExists(atPath: file) ? "it cannot be read (permissions?)" : "no such file"
        throw CLIError("cannot read bundle \(shown): \(reason)")
    }
    do {
        return try ChangeBundle(decoding: [UInt8](data))
    } catch {
        throw CLIError("\(shown) is not a usable bundle: \(error.message)")
    }
}

/// Applies a decoded bundle after checking it belongs to this store: a slice at a time into a
/// store in use (`GlossStore.applyInSlices`), whole into a store being made (`inSlices: false`,
/// for `clone`, which keeps the store only if the whole bundle applies).
func applyBundle(_ bundle: ChangeBundle, to store: GlossStore, file: String, inSlices: Bool = true) throws -> ApplyReport {
    guard bundle.storeID == store.identity.storeID else {
        throw CLIError(
            "\(Terminal.singleLine(file)) is from another store (\(bundle.storeID.hex)); this store is \(store.identity.storeID.hex)")
    }
    return try reportingErrors { inSlices ? try store.applyInSlices(bundle.batch) : try store.apply(bundle.batch) }
}

/// What a command that writes only new files says when the name is taken.
func overwriteRefused(_ shown: String) -> CLIError {
    CLIError("\(shown) exists; refusing to overwrite it (remove it or choose another name)")
}

/// Writes to a temporary file beside `path`, flushed to disk, then renames it over `path`: a
/// reader never sees half a file, and a failure (a full disk, a read-only folder) leaves the old
/// one and no partial file, and says why. The file is readable by its owner only.
///
/// With `replacing: false` the file must not exist: it is linked into place, which fails if
/// anything (a file, a symlink, dangling or not) took the name meanwhile, instead of renamed.
func writeAtomically(_ data: Data, to path: String, replacing: Bool = true) throws {
    let shown = Terminal.singleLine(path)
    let temporary = path + ".gloss-partial-\(ProcessInfo.processInfo.processIdentifier)"
    /// The error of the call that just failed, after removing the partial file.
    func failure() -> CLIError {
        let reason = String(cString: strerror(errno)).lowercased()
        unlink(temporary)
        return CLIError("cannot write \(shown): \(reason)")
    }
    // Owner-only, like the store: a bundle carries notes that may name sources.
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw CLIError("cannot write \(shown): \(String(cString: strerror(errno)).lowercased())") }
    let written = data.withUnsafeBytes { buffer -> Bool in
        var offset = 0
        while offset < buffer.count {
            let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
    guard written, fsync(descriptor) == 0 else {
        let error = failure()
        close(descriptor)
        throw error
    }
    guard close(descriptor) == 0 else { throw failure() }
    if replacing {
        guard rename(temporary, path) == 0 else { throw failure() }
    } else {
        guard link(temporary, path) == 0 else {
            if errno == EEXIST {
                unlink(temporary)
                throw overwriteRefused(shown)
            }
            throw failure()
        }
        unlink(temporary)
    }
}
