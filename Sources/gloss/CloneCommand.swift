import ArgumentParser
import Foundation
import GlossCore
import GlossNetwork
import GlossStore

struct Clone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Create a new replica of a store, from a server (HOST:PORT) or a bundle file. Prints the new replica id.",
        discussion: """
            From a server, --expect names the server's device id (its 'gloss id'), checked with its \
            owner: the clone talks to no other key, and trusts that one from then on. The server's \
            owner must trust this new replica too: if it does not yet, the clone stops, prints this \
            replica's device id, and keeps its key so that running it again presents the same id. \
            The new store is created as soon as the server names its store, and every batch is \
            kept as it arrives: if the clone is interrupted, 'gloss sync HOST:PORT' on the new \
            store finishes it. From a bundle, the store is made only if the whole bundle applies.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var retry: RetryOptions
    @Argument(help: ArgumentHelp("A server or a bundle file.", valueName: "host:port | bundle"), completion: .file())
    var source: String
    @Option(help: "A name for the new replica.") var name: String?
    @Option(help: ArgumentHelp("The server's device id (required to clone from a server).", valueName: "device")) var expect: String?

    func run() async throws {
        let path = storeOptions.path
        if let occupied = GlossStore.whatOccupies(path) { throw CLIError(occupied.message) }
        // A file, or what can only be meant as one (a path, a .bundle name), is a bundle.
        let looksLikeAFile = source.contains("/") || source.lowercased().hasSuffix(".bundle")
        if FileManager.default.fileExists(atPath: source) || (looksLikeAFile && !source.contains("://")) {
            return try cloneBundle(at: path)
        }
        let endpoint = try parseEndpoint(source)
        let expected = try expect.map { text -> ReplicaID in
            guard let replica = DeviceArgument.whole(text) else {
                throw CLIError(
                    "--expect takes the server's whole device id (XXXXXXX-XXXXXXX-XXXXXXX-XXXXXXX), as 'gloss id' prints it there")
            }
            return replica
        }
        let keyFile = CloneKeyFile(storePath: path)
        let key = try keyFile.load() ?? ReplicaKey()
        let replica = SyncReplica(cloningTo: path, name: name, key: key, server: expected)
        let run: SyncRun
        do {
            run = try await runSession(
                replica, endpoint: endpoint, trusting: Set(expected.map { [$0] } ?? []), json: output.json, retry: retry)
        } catch let error as CLIError where replica.createdStore != nil {
            // The store exists (with the key) and keeps every batch that arrived: say how to finish.
            keyFile.remove()
            throw CLIError(
                "\(error.message); the new store at \(Terminal.singleLine(path)) keeps what arrived: finish with 'gloss sync \(source) --store \(Terminal.singleLine(path))'"
            )
        } catch let error as CLIError where error.refusedByServer {
            // Keep the key, so the retry presents the device id the server's owner trusts.
            try keyFile.save(key)
            throw CLIError(
                "the server does not trust this new replica yet: ask its owner to run 'gloss trust \(DeviceID(key.replicaID)) --role read-write', then run this clone again (it keeps that device id)"
            )
        }
        keyFile.remove()
        let outcome = run.report.outcome!
        guard let store = replica.createdStore else { throw CLIError("the server did not name its store") }
        try reportingErrors { try store.setRole(.readWrite, of: outcome.peer.replicaID, name: outcome.peer.name, time: currentTime()) }
        try reportingErrors { try store.setRemote(endpoint.description) }
        let conflicts = try reportingErrors { try store.conflictCount() }
        if output.json {
            try printSummary(run, conflicts: conflicts, newConflicts: conflicts, json: true)
        } else {
            print(store.identity.replicaID.hex)
            Terminal.note(
                "Cloned store \(store.identity.storeID.hex) from \(source) into \(Terminal.singleLine(path)): \(counted(run.receivedChanges, "change"))."
            )
        }
    }

    private func cloneBundle(at path: String) throws {
        let decoded = try readBundle(source)
        let store = try reportingErrors { try GlossStore.create(at: path, storeID: decoded.storeID, name: name) }
        do {
            let report = try applyBundle(decoded, to: store, file: source, inSlices: false)
            if output.json {
                return try printJSON(
                    BundleClone(
                        store: decoded.storeID.hex, replica: store.identity.replicaID.hex, path: store.path, applied: report.applied,
                        conflicts: try reportingErrors { try store.conflictCount() }))
            }
            print(store.identity.replicaID.hex)
            Terminal.note(
                "Cloned store \(decoded.storeID.hex) into \(Terminal.singleLine(path)): \(counted(report.applied, "change"))."
            )
        } catch {
            // Nothing half-made: the new store goes if its first bundle does not apply.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
    }
}

/// `clone BUNDLE --json`.
struct BundleClone: Encodable {
    let store: String
    let replica: String
    let path: String
    let applied: Int
    let conflicts: Int
}

/// The key a network clone will have, kept beside the store path between a refused attempt and
/// the retry, so the retry presents the device id the server's owner was told to trust. Readable
/// by its owner only; removed once the clone has made its store.
struct CloneKeyFile {
    let path: String

    init(storePath: String) {
        let directory = (storePath as NSString).deletingLastPathComponent
        let name = "." + (storePath as NSString).lastPathComponent + ".clone-key"
        path = directory.isEmpty ? name : directory + "/" + name
    }

    /// The key kept by a refused attempt, or nil. Only a regular file that belongs to this user
    /// and that no one else can read or write is taken: anything else could be a planted key.
    func load() throws -> ReplicaKey? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let shown = Terminal.singleLine(path)
        guard (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            throw CLIError("\(shown) is not a clone key this user made (it must be a private file, mode 600); remove it to start afresh")
        }
        guard let bytes = FileManager.default.contents(atPath: path), let key = ReplicaKey(privateKeyBytes: bytes) else {
            throw CLIError("\(shown) is not a clone key; remove it to start the clone afresh")
        }
        return key
    }

    /// Writes the key to a new private file beside the target, then renames it into place, so
    /// neither a link nor another user's file is ever written through.
    func save(_ key: ReplicaKey) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let temporary = path + ".\(getpid())"
        let failure = CLIError("cannot keep the clone's key at \(Terminal.singleLine(path))")
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw failure }
        let bytes = key.privateKeyBytes
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count && fsync(descriptor) == 0
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw failure
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
