import Foundation
import GlossCore
import GlossProtocol
import GlossStore
import Testing

/// Author signatures on every apply path (SPEC §6.6), tried with the real binary: a bundle
/// edited in flight, a change forged under another author's id, and a copied store file.
@Suite struct SignedHistoryTests {
    @Test func aBundleEditedInFlightIsRefusedWhole() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", "desk note", store: replicas.desk)
        try await sandbox.ok("bundle", "create", "edited.bundle", store: replicas.desk)
        var bundle = try ChangeBundle(decoding: try #require(sandbox.bytes("edited.bundle")))
        let position = try #require(
            bundle.batch.changes.firstIndex {
                $0.operations.contains(.set(entity: try! ID128(hex: replicas.annotation).unwrap(), field: .note, value: "desk note"))
            })
        let original = bundle.batch.changes[position]
        bundle.batch.changes[position] = Change(
            id: original.id, dependencies: original.dependencies, time: original.time,
            operations: original.operations.map { operation in
                if case .set(let entity, .note, _) = operation { return .set(entity: entity, field: .note, value: "forged note") }
                return operation
            })
        _ = try sandbox.write("edited.bundle", bytes: bundle.encoded())  // a valid checksum: only the signature can tell
        let before = try await sandbox.snapshot(replicas.field)
        let refused = try await sandbox.run(["bundle", "apply", "edited.bundle", "--store", replicas.field])
        expectCleanFailure(refused, mentioning: ["signature", "does not match"])
        #expect(try await sandbox.snapshot(replicas.field) == before, "nothing applied")
    }

    @Test func aChangeForgedUnderAnotherAuthorsIDIsRefused() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        let desk = try GlossStore.open(at: replicas.desk, access: .read)
        let field = try GlossStore.open(at: replicas.field, access: .read)
        let deskID = desk.identity.replicaID
        let annotation = try #require(ID128(hex: replicas.annotation))
        // The field writes a note as if it were the desk's next change, and signs it itself.
        let forged = Change(
            id: Dot(replica: deskID, seq: try desk.clock()[deskID] + 1), dependencies: try desk.clock(), time: 1,
            operations: [.set(entity: annotation, field: .note, value: "the desk never wrote this")])
        let base = try #require(try desk.signedHeads(at: VersionVector([deskID: forged.id.seq - 1])).first?.chain)
        let chain = base.extended(with: forged)
        let key = try field.replicaKey()
        let message = Checkpoint.message(store: desk.identity.storeID, author: deskID, seq: forged.id.seq, chain: chain)
        let run = SignedRun(
            author: deskID, key: key.authorKey, base: base,
            checkpoints: [Checkpoint(seq: forged.id.seq, signature: Array(try key.signingKey.signature(for: message)))])
        let bundle = ChangeBundle(storeID: desk.identity.storeID, batch: SignedBatch(changes: [forged], runs: [run]))
        _ = try sandbox.write("forged.bundle", bytes: bundle.encoded())
        let before = try await sandbox.snapshot(replicas.desk)
        expectCleanFailure(
            try await sandbox.run(["bundle", "apply", "forged.bundle", "--store", replicas.desk]), mentioning: ["another replica's key"])
        #expect(try await sandbox.snapshot(replicas.desk) == before)
    }

    /// A store file copied to a second machine: both copies write under one replica id. The hub
    /// takes the first to sync; the second learns it was copied, takes a new id that the hub
    /// trusts through the old one, re-issues its note under it, and nothing is lost.
    @Test func aCopiedStoreTakesANewIDAndLosesNothing() async throws {
        let hub = try await RecoveryHub.make()
        let sandbox = hub.sandbox
        let copy = sandbox.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: hub.laptop, toPath: copy)
        let oldDevice = try await sandbox.deviceID(of: copy)

        let fromLaptop = try await sandbox.annotate(hub.article, quote: "three generals", ["--note", "from the laptop"], store: hub.laptop)
        try await sandbox.ok("sync", hub.address, store: hub.laptop)
        let fromCopy = try await sandbox.annotate(
            hub.article, quote: "Kursk Oblast", ["--occurrence", "2", "--note", "from the copy"], store: copy)
        let synced = try await sandbox.run(["sync", hub.address, "--store", copy])
        #expect(synced.succeeded, "\(synced)")
        #expect(synced.stderr.contains("restored from a backup or copied") && synced.stderr.contains("1 change"), "\(synced)")
        let newDevice = try await sandbox.deviceID(of: copy)
        #expect(newDevice != oldDevice)

        // Both notes are everywhere, the copy's under a new annotation id; the hub trusts the new id.
        let hubNotes = try await hub.notes(of: hub.hub)
        #expect(hubNotes.contains("from the laptop") && hubNotes.contains("from the copy"), "\(hubNotes)")
        #expect(try await hub.notes(of: copy) == hubNotes)
        try await sandbox.ok("sync", hub.address, store: hub.laptop)
        #expect(try await hub.notes(of: hub.laptop) == hubNotes)
        // Both wrote their annotation as the same change of the same id, so both got the same
        // annotation id: the copy's was re-issued under one derived from its new dot.
        #expect(fromCopy == fromLaptop)
        let annotations = try jsonArray(try await sandbox.ok("annotations", "--json", store: copy))
        #expect(annotations.first { string($0, "id") == fromLaptop }.flatMap { string($0, "note") } == "from the laptop")
        #expect(annotations.contains { string($0, "note") == "from the copy" && string($0, "id") != fromCopy })
        let devices = try jsonArray(try await sandbox.ok("devices", "--json", store: hub.hub))
        #expect(devices.contains { string($0, "device") == newDevice && string($0, "role") == "read-write" }, "\(devices)")
        #expect(try await sandbox.status(copy)["digest"] as? String == (try await sandbox.status(hub.hub))["digest"] as? String)
        _ = await hub.stop()
    }

    /// A laptop restored from last week's backup: the hub holds changes it made after the backup.
    /// It fetches them, keeps what it wrote since the restore, and goes on under a new id.
    @Test func aRestoredBackupFetchesWhatItLostAndKeepsWhatItWrote() async throws {
        let hub = try await RecoveryHub.make()
        let sandbox = hub.sandbox
        let backup = sandbox.path("backup.sqlite")
        try FileManager.default.copyItem(atPath: hub.laptop, toPath: backup)
        _ = try await sandbox.annotate(hub.article, quote: "three generals", ["--note", "written before the disk died"], store: hub.laptop)
        try await sandbox.ok("sync", hub.address, store: hub.laptop)
        try FileManager.default.removeItem(atPath: hub.laptop)
        try FileManager.default.moveItem(atPath: backup, toPath: hub.laptop)

        _ = try await sandbox.annotate(
            hub.article, quote: "Kursk Oblast", ["--occurrence", "2", "--note", "written after the restore"], store: hub.laptop)
        let synced = try await sandbox.run(["sync", hub.address, "--store", hub.laptop])
        #expect(synced.succeeded && synced.stderr.contains("restored from a backup or copied"), "\(synced)")
        let notes = try await hub.notes(of: hub.laptop)
        #expect(notes.contains("written before the disk died") && notes.contains("written after the restore"), "\(notes)")
        #expect(try await hub.notes(of: hub.hub) == notes)
        // A second sync is an ordinary one.
        let again = try await sandbox.ok("sync", hub.address, store: hub.laptop)
        #expect(!again.stderr.contains("restored"), "\(again)")
        _ = await hub.stop()
    }

    /// The original and its copy edit one note apart: after the copy's re-key, both values stand
    /// side by side as a conflict (the re-issued edit keeps its causal context), none overwritten.
    @Test func aCopysEditOfANoteTheOriginalAlsoEditedIsAConflict() async throws {
        let hub = try await RecoveryHub.make()
        let sandbox = hub.sandbox
        let annotation = try await sandbox.annotate(hub.article, quote: "three generals", ["--note", "first"], store: hub.laptop)
        try await sandbox.ok("sync", hub.address, store: hub.laptop)
        let copy = sandbox.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: hub.laptop, toPath: copy)
        try await sandbox.ok("edit", annotation, "--note", "the original's", store: hub.laptop)
        try await sandbox.ok("sync", hub.address, store: hub.laptop)
        try await sandbox.ok("edit", annotation, "--note", "the copy's", store: copy)
        let synced = try await sandbox.run(["sync", hub.address, "--store", copy])
        #expect(synced.succeeded, "\(synced)")
        let conflicts = try await sandbox.ok("conflicts", "--json", store: hub.hub).stdout
        #expect(conflicts.contains("the original's") && conflicts.contains("the copy's"), "\(conflicts)")
        _ = await hub.stop()
    }

    /// A hub restored from a backup holds less of its own history than its clients: it refuses
    /// them and says why; the client changes nothing.
    @Test func aRestoredHubRefusesItsClientsAndSaysWhy() async throws {
        let hub = try await RecoveryHub.make()
        let sandbox = hub.sandbox
        let backup = sandbox.path("hub-backup.sqlite")
        _ = await hub.stop()
        // A backup of the folder: the store file and its write-ahead log, if the server left one.
        let files = FileManager.default
        for suffix in ["", "-wal"] where files.fileExists(atPath: hub.hub + suffix) {
            try files.copyItem(atPath: hub.hub + suffix, toPath: backup + suffix)
        }
        var (server, address) = try await sandbox.serve(hub.hub)
        _ = try await sandbox.importArticle(try sandbox.write("second.txt", "A second article, from the hub."), store: hub.hub)
        try await sandbox.ok("sync", address, store: hub.laptop)
        server.kill()
        _ = await server.finish()
        for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: hub.hub + suffix) {
            try files.removeItem(atPath: hub.hub + suffix)
        }
        for suffix in ["", "-wal"] where files.fileExists(atPath: backup + suffix) {
            try files.moveItem(atPath: backup + suffix, toPath: hub.hub + suffix)
        }
        (server, address) = try await sandbox.serve(hub.hub)
        let before = try await sandbox.status(hub.laptop)
        let refused = try await sandbox.run(["sync", address, "--store", hub.laptop])
        expectCleanFailure(refused, mentioning: ["says its own store was restored from a backup or copied"])
        let after = try await sandbox.status(hub.laptop)
        #expect(
            string(after, "digest") == string(before, "digest") && after["clock"] as? [String: Int] == before["clock"] as? [String: Int])
        server.kill()
        let log = await server.finish()
        #expect(log.stdout.contains("replicaRestored"), "\(log.stdout)")
    }

}

/// A hub serving a store, and a laptop cloned from it and synced once.
struct RecoveryHub {
    let sandbox: Sandbox
    let hub: String
    let laptop: String
    let article: String
    let server: RunningProcess
    let address: String

    static func make() async throws -> RecoveryHub {
        let sandbox = try Sandbox()
        let hub = sandbox.path("hub.sqlite")
        let laptop = sandbox.path("laptop.sqlite")
        try await sandbox.initStore(hub, name: "hub")
        let article = try await sandbox.importArticle(try sandbox.copySample(), store: hub)
        let (server, address) = try await sandbox.serve(hub)
        try await sandbox.ok("bundle", "create", "start.bundle", store: hub)
        try await sandbox.ok("clone", "start.bundle", "--name", "laptop", store: laptop)
        let hubDevice = try await sandbox.introduce(client: laptop, to: hub)
        try await sandbox.ok("sync", address, "--expect", hubDevice, store: laptop)
        return RecoveryHub(sandbox: sandbox, hub: hub, laptop: laptop, article: article, server: server, address: address)
    }

    /// Every annotation's note in a store, sorted.
    func notes(of store: String) async throws -> [String] {
        try jsonArray(try await sandbox.ok("annotations", "--json", store: store)).compactMap { string($0, "note") }.sorted()
    }

    func stop() async -> CommandResult {
        server.kill()
        return await server.finish()
    }
}

extension Optional {
    fileprivate func unwrap() throws -> Wrapped {
        guard let self else { throw CancellationError() }
        return self
    }
}
