import Foundation
import Testing

/// Each kind of bad input, one case each: the command fails with a non-zero exit, says what is
/// wrong in exactly one line on stderr, prints nothing on stdout, and leaves the store exactly as
/// it was (same digest and clock, same file bytes; see `StoreSnapshot`).
@Suite struct BadInputTests {
    enum BadInput: String, CaseIterable, Sendable {
        case missingFile, emptyFile, binaryFile, nonUTF8File, wrongExtension, directoryAsFile
        case absentQuote, repeatedQuote, occurrenceOutOfRange, occurrenceZero, emptyQuote
        case unknownPrefix, ambiguousPrefix, tooShortPrefix, annotationWhereAnArticleIsNeeded
        case unknownFieldForResolve, fieldNotInConflict, noteOnArticle
        case missingStore, emptyStorePath, initWithEmptyStorePath, directoryAsStore, nonGlossFileAsStore, initOverExistingStore
        case truncatedBundle, corruptBundle, bundleFromAnotherStore, bundleFromNewerFormat, missingBundle, textFileAsBundle
        case badSinceClock, unwritableBundlePath, bundleCreateOnDirectory, cloneMissingBundle
        case initOverTextFile, initOverDirectory, initOverEmptyFile, cloneOverTextFile
        case syncWithURL, syncWithPath, syncWithUnknownHost, serveOnAnAddressInUse, serveOnAnAddressNotHere
    }

    /// What to run, what the one line on stderr must say, and files whose bytes (or absence)
    /// must not change.
    struct Scenario {
        let arguments: [String]
        let fragments: [String]
        var untouched: [String] = []
        /// A process the scenario needs while the command runs (killed when it goes).
        var keepAlive: RunningProcess?
        /// The command may write to the store, but not its changes: a failed sync records its
        /// error for 'gloss peers', and a server opens the store for writing before it listens.
        var writesBesideChanges = false
    }

    @Test(arguments: BadInput.allCases)
    func badInputFailsInOneLineAndChangesNothing(_ input: BadInput) async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore(name: "desk")
        let article = try await sandbox.importArticle(try sandbox.copySample(), ["--tag", "ukraine"])
        let annotation = try await sandbox.annotate(article, quote: "three generals", ["--note", "check", "--tag", "verify"])
        let scenario = try await Self.scenario(input, sandbox: sandbox, article: article, annotation: annotation)

        let before = try await sandbox.snapshot()
        let untouchedBefore = scenario.untouched.map(FileState.init(path:))
        let result = try await sandbox.run(scenario.arguments)
        scenario.keepAlive?.kill()
        expectCleanFailure(result, mentioning: scenario.fragments)
        // Exact bytes first: the snapshot's own `status` reopens the store.
        #expect(scenario.untouched.map(FileState.init(path:)) == untouchedBefore, "\(input): \(scenario.untouched) changed")
        let after = try await sandbox.snapshot()
        if scenario.writesBesideChanges {
            #expect(after.digest == before.digest && after.clock == before.clock, "\(input): the store's changes changed")
        } else {
            #expect(after == before, "\(input): the store changed")
        }
    }

    static func scenario(_ input: BadInput, sandbox: Sandbox, article: String, annotation: String) async throws -> Scenario {
        let store = ["--store", sandbox.store]
        switch input {
        case .missingFile:
            return Scenario(arguments: ["import", "missing.txt"] + store, fragments: ["cannot import missing.txt: no such file"])
        case .emptyFile:
            try sandbox.write("empty.txt", "")
            return Scenario(arguments: ["import", "empty.txt"] + store, fragments: ["cannot import empty.txt: it is empty"])
        case .binaryFile:
            try sandbox.write("binary.txt", bytes: Array("looks like text".utf8) + [0, 1, 2, 0xFF, 0] + Array("more".utf8))
            return Scenario(arguments: ["import", "binary.txt"] + store, fragments: ["binary.txt", "NUL bytes"])
        case .nonUTF8File:
            try sandbox.write("latin1.txt", bytes: Array("Caf".utf8) + [0xE9] + Array(" au lait, na".utf8) + [0xEF] + Array("ve.".utf8))
            return Scenario(arguments: ["import", "latin1.txt"] + store, fragments: ["latin1.txt", "not valid UTF-8"])
        case .wrongExtension:
            try sandbox.write("report.pdf", "Plain text, but named like a PDF.")
            return Scenario(
                arguments: ["import", "report.pdf"] + store,
                fragments: ["report.pdf", "only .txt, .md and .markdown files can be imported"])
        case .directoryAsFile:
            try FileManager.default.createDirectory(atPath: sandbox.path("folder.txt"), withIntermediateDirectories: false)
            return Scenario(arguments: ["import", "folder.txt"] + store, fragments: ["folder.txt", "is a directory"])
        case .absentQuote:
            return Scenario(
                arguments: ["annotate", article, "--quote", "Pyongyang Oblast"] + store,
                fragments: ["the article does not contain \"Pyongyang Oblast\""])
        case .repeatedQuote:
            return Scenario(
                arguments: ["annotate", article, "--quote", "Kursk Oblast", "--note", "x"] + store,
                fragments: ["\"Kursk Oblast\" occurs 2 times", "--occurrence N", "[2] …"])
        case .occurrenceOutOfRange:
            return Scenario(
                arguments: ["annotate", article, "--quote", "Kursk Oblast", "--occurrence", "3"] + store,
                fragments: ["--occurrence 3", "occurs 2 times"])
        case .occurrenceZero:
            return Scenario(
                arguments: ["annotate", article, "--quote", "Kursk Oblast", "--occurrence", "0"] + store,
                fragments: ["--occurrence 0", "counting from 1"])
        case .emptyQuote:
            return Scenario(arguments: ["annotate", article, "--quote", ""] + store, fragments: ["--quote needs some text"])
        case .unknownPrefix:
            let unknown = IDPrefixTests.prefix(notStarting: [article, annotation])
            return Scenario(
                arguments: ["edit", unknown, "--note", "x"] + store,
                fragments: ["no article or annotation has an id starting with \(unknown)"])
        case .ambiguousPrefix:
            let (first, second) = IDPrefixTests.textsWhoseIDsShareFourDigits()
            let one = try await sandbox.importArticle(try sandbox.write("one.txt", first))
            let two = try await sandbox.importArticle(try sandbox.write("two.txt", second))
            return Scenario(
                arguments: ["edit", String(one.prefix(4)), "--title", "x"] + store,
                fragments: ["the id prefix \(one.prefix(4)) is ambiguous", one, two])
        case .tooShortPrefix:
            return Scenario(
                arguments: ["show", String(article.prefix(3))] + store,
                fragments: ["'\(article.prefix(3))' is not an id: give at least 4 of its hex digits"])
        case .annotationWhereAnArticleIsNeeded:
            return Scenario(
                arguments: ["annotate", annotation, "--quote", "three generals"] + store,
                fragments: ["\(annotation) is an annotation"])
        case .unknownFieldForResolve:
            return Scenario(
                arguments: ["resolve", annotation, "summary", "--pick", "1"] + store,
                fragments: ["unknown field 'summary'", "title, source, note, color, archived, revision, anchor"])
        case .fieldNotInConflict:
            return Scenario(
                arguments: ["resolve", annotation, "note", "--pick", "1"] + store,
                fragments: ["the note of \(annotation) is not in conflict", "gloss edit"])
        case .noteOnArticle:
            return Scenario(
                arguments: ["edit", article, "--note", "a note on an article"] + store,
                fragments: ["the note applies to annotations", "\(article) is an article"])
        case .missingStore:
            let missing = sandbox.path("nowhere/store.sqlite")
            return Scenario(
                arguments: ["articles", "--store", missing], fragments: ["no store at \(missing)", "gloss init"],
                untouched: [missing, sandbox.path("nowhere")])
        case .directoryAsStore:
            try FileManager.default.createDirectory(atPath: sandbox.path("storedir"), withIntermediateDirectories: false)
            return Scenario(arguments: ["status", "--store", sandbox.path("storedir")], fragments: ["is a directory, not a store"])
        case .nonGlossFileAsStore:
            let notes = try sandbox.write("notes.txt", String(repeating: "Not a database, just notes about the war.\n", count: 40))
            return Scenario(
                arguments: ["annotate", article, "--quote", "three generals", "--store", notes],
                fragments: [notes, "not a Gloss store"], untouched: [notes, notes + "-wal", notes + "-shm"])
        case .initOverExistingStore:
            return Scenario(
                arguments: ["init", "--name", "again"] + store, fragments: ["a store already exists at \(sandbox.store)"],
                untouched: [sandbox.store])
        case .truncatedBundle:
            try await sandbox.ok("bundle", "create", "full.bundle")
            let bytes = try #require(sandbox.bytes("full.bundle"))
            try sandbox.write("cut.bundle", bytes: Array(bytes.prefix(bytes.count / 2)))
            return Scenario(
                arguments: ["bundle", "apply", "cut.bundle"] + store, fragments: ["cut.bundle is not a usable bundle", "truncated"])
        case .corruptBundle:
            try await sandbox.ok("bundle", "create", "full.bundle")
            var bytes = try #require(sandbox.bytes("full.bundle"))
            bytes[bytes.count / 2] ^= 0x5A
            try sandbox.write("flipped.bundle", bytes: bytes)
            return Scenario(
                arguments: ["bundle", "apply", "flipped.bundle"] + store,
                fragments: ["flipped.bundle is not a usable bundle", "checksum does not match"])
        case .bundleFromAnotherStore:
            let other = sandbox.path("other.sqlite")
            try await sandbox.initStore(other)
            _ = try await sandbox.importArticle(try sandbox.write("elsewhere.txt", "An article held by another store."), store: other)
            try await sandbox.ok("bundle", "create", "other.bundle", store: other)
            let otherStore = try #require(string(try await sandbox.status(other), "store"))
            return Scenario(
                arguments: ["bundle", "apply", "other.bundle"] + store,
                fragments: ["other.bundle is from another store (\(otherStore))"])
        case .bundleFromNewerFormat:
            try await sandbox.ok("bundle", "create", "full.bundle")
            var bytes = try #require(sandbox.bytes("full.bundle"))
            bytes[8] = 3  // the format byte, after the 8-byte magic GLOSSBDL
            try sandbox.write("newer.bundle", bytes: bytes)
            return Scenario(
                arguments: ["bundle", "apply", "newer.bundle"] + store,
                fragments: ["newer.bundle is not a usable bundle", "bundle format 3 is newer than this gloss"])
        case .missingBundle:
            return Scenario(arguments: ["bundle", "apply", "nothing.bundle"] + store, fragments: ["cannot read bundle nothing.bundle"])
        case .textFileAsBundle:
            try sandbox.copySample(as: "kursk.bundle")
            return Scenario(arguments: ["bundle", "apply", "kursk.bundle"] + store, fragments: ["not a Gloss bundle", "GLOSSBDL"])
        case .badSinceClock:
            return Scenario(
                arguments: ["bundle", "create", "since.bundle", "--since", "{\"desk\": 1}"] + store,
                fragments: ["--since: 'desk' is not a replica id"], untouched: [sandbox.path("since.bundle")])
        case .unwritableBundlePath:
            let target = sandbox.path("no/such/folder/out.bundle")
            return Scenario(
                arguments: ["bundle", "create", target] + store, fragments: ["cannot write \(target): no such file or directory"],
                untouched: [target])
        case .bundleCreateOnDirectory:
            let folder = sandbox.path("exports")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            return Scenario(
                arguments: ["bundle", "create", folder] + store, fragments: ["\(folder) is a directory", "\(folder)/notes.bundle"],
                untouched: [folder])
        case .cloneMissingBundle:
            let target = sandbox.path("copy.sqlite")
            return Scenario(
                arguments: ["clone", "missing.bundle", "--store", target], fragments: ["cannot read bundle missing.bundle: no such file"],
                untouched: [target])
        case .initOverTextFile:
            let notes = try sandbox.write("notes.txt", "Not a store.\n")
            return Scenario(
                arguments: ["init", "--store", notes], fragments: ["\(notes) exists and is not a Gloss store"], untouched: [notes])
        case .initOverDirectory:
            let folder = sandbox.path("stores")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            return Scenario(
                arguments: ["init", "--store", folder], fragments: ["\(folder) is a directory", "\(folder)/store.sqlite"],
                untouched: [folder])
        case .emptyStorePath:
            return Scenario(arguments: ["articles", "--store", ""], fragments: ["the store path is empty", "--store"], untouched: [])
        case .initWithEmptyStorePath:
            return Scenario(arguments: ["init", "--store", ""], fragments: ["the store path is empty", "--store"], untouched: [])
        case .initOverEmptyFile:
            let empty = try sandbox.write("empty.sqlite", "")
            return Scenario(arguments: ["init", "--store", empty], fragments: ["\(empty) exists and is empty"], untouched: [empty])
        case .cloneOverTextFile:
            try await sandbox.ok("bundle", "create", "full.bundle")
            let notes = try sandbox.write("notes.txt", "Not a store.\n")
            return Scenario(
                arguments: ["clone", "full.bundle", "--store", notes], fragments: ["\(notes) exists and is not a Gloss store"],
                untouched: [notes])
        case .syncWithURL:
            return Scenario(
                arguments: ["sync", "http://127.0.0.1:37897/"] + store, fragments: ["is a URL", "HOST:PORT", "'127.0.0.1:37897'"])
        case .syncWithPath:
            return Scenario(arguments: ["sync", "hub/notes:7456"] + store, fragments: ["is not HOST:PORT"])
        case .syncWithUnknownHost:
            // .invalid never resolves (RFC 2606); without DNS at all the lookup fails too.
            return Scenario(
                arguments: ["sync", "nosuchhost.invalid:7456", "--timeout", "0"] + store, fragments: ["host 'nosuchhost.invalid'"],
                writesBesideChanges: true)
        case .serveOnAnAddressInUse:
            let hub = sandbox.path("hub.sqlite")
            _ = try await sandbox.initStore(hub, name: "hub")
            let (server, address) = try await sandbox.serve(hub)
            return Scenario(
                arguments: ["serve", "--listen", address] + store, fragments: ["cannot listen on", "already in use"], keepAlive: server,
                writesBesideChanges: true)
        case .serveOnAnAddressNotHere:
            // TEST-NET-1 (RFC 5737): no machine has it.
            return Scenario(
                arguments: ["serve", "--listen", "192.0.2.1:7456"] + store, fragments: ["no such address"], writesBesideChanges: true)
        }
    }

    enum BundleDamage: String, CaseIterable, Sendable {
        case truncated, corrupt, newerFormat, empty
    }

    @Test(arguments: BundleDamage.allCases)
    func cloneFromADamagedBundleLeavesNoStore(_ damage: BundleDamage) async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        _ = try await sandbox.importArticle(try sandbox.copySample())
        try await sandbox.ok("bundle", "create", "full.bundle")
        var bytes = try #require(sandbox.bytes("full.bundle"))
        switch damage {
        case .truncated: bytes.removeLast(bytes.count / 3)
        case .corrupt: bytes[bytes.count / 2] ^= 0x01
        case .newerFormat: bytes[8] = 3
        case .empty: bytes = []
        }
        try sandbox.write("bad.bundle", bytes: bytes)
        let clone = sandbox.path("clone.sqlite")
        expectCleanFailure(
            try await sandbox.run(["clone", "bad.bundle", "--store", clone]), mentioning: ["bad.bundle is not a usable bundle"])
        for suffix in ["", "-wal", "-shm"] { #expect(!sandbox.exists(clone + suffix)) }
    }

    @Test(.enabled(if: geteuid() != 0, "root ignores file permissions"))
    func aStoreInAFolderThatIsNotWritableIsRefused() async throws {
        let sandbox = try Sandbox()
        let locked = sandbox.path("locked/store.sqlite")
        try await sandbox.initStore(locked)
        let article = try await sandbox.importArticle(try sandbox.copySample(), store: locked)
        _ = try await sandbox.status(locked)
        let before = try #require(sandbox.bytes(locked))
        #expect(chmod(sandbox.path("locked"), 0o500) == 0)
        defer { chmod(sandbox.path("locked"), 0o700) }
        let result = try await sandbox.gloss("annotate", article, "--quote", "three generals", store: locked)
        expectCleanFailure(result, mentioning: ["the store at \(locked) cannot be changed", "read-only"])
        #expect(sandbox.bytes(locked) == before)
        #expect(!sandbox.exists(locked + "-wal"))
        let listed = try await sandbox.gloss("articles", store: locked)
        #expect(listed.succeeded && listed.stdout.contains(article), "reading still works: \(listed)")
    }

    /// Read-only media (here a read-only bind mount, which binds root too): the store can be
    /// read though SQLite cannot create its WAL index there, and an edit is refused in one line.
    @Test(.enabled(if: canMount, "mounting needs root, and a container that allows it"))
    func aStoreOnReadOnlyMediaCanBeReadAndIsNotChanged() async throws {
        let sandbox = try Sandbox()
        let store = sandbox.path("media/store.sqlite")
        try await sandbox.initStore(store)
        let article = try await sandbox.importArticle(try sandbox.copySample(), store: store)
        let mounted = sandbox.path("mounted")
        try FileManager.default.createDirectory(atPath: mounted, withIntermediateDirectories: false)
        let mount = try await sandbox.finish(
            try sandbox.start(
                executable: "/bin/sh", ["-c", "mount --bind media mounted && mount -o remount,bind,ro mounted"],
                environment: sandbox.environment))
        try #require(mount.succeeded, "could not mount read-only: \(mount.stderr)")
        defer { _ = umount(mounted) }
        let readOnly = mounted + "/store.sqlite"
        #expect(!sandbox.exists("mounted/store.sqlite-shm"), "closed cleanly: no WAL index to reuse")
        let listed = try await sandbox.gloss("articles", store: readOnly)
        #expect(listed.succeeded && listed.stdout.contains(article), "\(listed)")
        let shown = try await sandbox.gloss("show", article, store: readOnly)
        #expect(shown.succeeded, "\(shown)")
        let edit = try await sandbox.gloss("annotate", article, "--quote", "three generals", store: readOnly)
        expectCleanFailure(edit, mentioning: ["cannot be changed", "read-only"])
    }

    /// True when this process may mount file systems (root, outside a locked-down container).
    static let canMount: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/sh")
        probe.arguments = ["-c", "d=$(mktemp -d) && mount -t tmpfs none \"$d\" && umount \"$d\"; r=$?; rmdir \"$d\"; exit $r"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()
}
