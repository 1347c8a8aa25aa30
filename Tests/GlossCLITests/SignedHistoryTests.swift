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
    /// takes the first to sync; the second is told what happened, and keeps its note.
    @Test func aCopiedStoreIsToldItWasCopiedAndLosesNothing() async throws {
        let sandbox = try Sandbox()
        let hub = sandbox.path("hub.sqlite")
        let laptop = sandbox.path("laptop.sqlite")
        try await sandbox.initStore(hub, name: "hub")
        let article = try await sandbox.importArticle(try sandbox.copySample(), store: hub)
        let (server, address) = try await sandbox.serve(hub)
        defer { server.kill() }
        let hubDevice = try await sandbox.deviceID(of: hub)
        try await sandbox.ok("bundle", "create", "start.bundle", store: hub)
        try await sandbox.ok("clone", "start.bundle", "--name", "laptop", store: laptop)
        try await sandbox.introduce(client: laptop, to: hub)
        try await sandbox.ok("sync", address, "--expect", hubDevice, store: laptop)
        let copy = sandbox.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: laptop, toPath: copy)

        _ = try await sandbox.annotate(article, quote: "three generals", ["--note", "from the laptop"], store: laptop)
        try await sandbox.ok("sync", address, store: laptop)
        let copied = try await sandbox.annotate(
            article, quote: "Kursk Oblast", ["--occurrence", "2", "--note", "from the copy"], store: copy)
        let hubBefore = try await sandbox.status(hub)
        let refused = try await sandbox.run(["sync", address, "--store", copy])
        expectCleanFailure(refused, mentioning: ["restored from a backup or copied"])
        #expect(try await sandbox.status(hub)["clock"] as? [String: Int] == hubBefore["clock"] as? [String: Int], "nothing sent")
        let kept = try jsonArray(try await sandbox.ok("annotations", "--json", store: copy))
        #expect(kept.contains { string($0, "id") == copied }, "the copy's note is kept")
    }
}

extension Optional {
    fileprivate func unwrap() throws -> Wrapped {
        guard let self else { throw CancellationError() }
        return self
    }
}
