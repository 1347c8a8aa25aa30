import Foundation
import Testing

/// Two replicas exchanging bundles: clone, concurrent edits, conflicts and their resolution,
/// and convergence to equal digests.
@Suite struct BundleAndCloneTests {
    @Test func cloneMakesANewReplicaOfTheSameStore() async throws {
        let sandbox = try Sandbox()
        let desk = sandbox.path("desk.sqlite")
        let deskReplica = try await sandbox.initStore(desk, name: "desk")
        let article = try await sandbox.importArticle(try sandbox.copySample(), store: desk)
        _ = try await sandbox.annotate(article, quote: "three generals", ["--note", "n"], store: desk)

        let created = try await sandbox.ok("bundle", "create", "out.bundle", store: desk)
        let size = try #require(sandbox.bytes("out.bundle")).count
        #expect(created.stdoutLines == ["Wrote 2 changes (\(size) bytes) to out.bundle."], "\(created)")
        #expect(sandbox.bytes("out.bundle")?.starts(with: Array("GLOSSBDL".utf8)) == true)

        let field = sandbox.path("nested/field.sqlite")
        let clone = try await sandbox.run(["clone", "out.bundle", "--store", field, "--name", "field"])
        #expect(clone.succeeded && clone.stdoutLines.count == 1 && isID(clone.stdoutLines[0]), "\(clone)")
        let deskStatus = try await sandbox.status(desk)
        let fieldStatus = try await sandbox.status(field)
        #expect(clone.stderrLines == ["Cloned store \(string(deskStatus, "store")!) into \(field): 2 changes."])
        #expect(string(fieldStatus, "store") == string(deskStatus, "store"))
        #expect(string(fieldStatus, "replica") == clone.stdoutLines.first)
        #expect(string(fieldStatus, "replica") != deskReplica)
        #expect(string(fieldStatus, "name") == "field")
        #expect(string(fieldStatus, "digest") == string(deskStatus, "digest"))
        #expect(fieldStatus["clock"] as? [String: Int] == [deskReplica: 2])
        #expect(
            try await sandbox.ok("annotations", "--json", store: field).stdout
                == (try await sandbox.ok("annotations", "--json", store: desk)).stdout)

        // Cloning over an existing store is refused, and leaves it alone.
        let before = try #require(sandbox.bytes(field))
        expectCleanFailure(try await sandbox.run(["clone", "out.bundle", "--store", field]), mentioning: ["already exists"])
        #expect(sandbox.bytes(field) == before)
    }

    @Test func applyingABundleTwiceIsANoOp() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        let before = try await sandbox.snapshot(replicas.field)
        let text = try await sandbox.ok("bundle", "apply", "to-field.bundle", store: replicas.field)
        #expect(text.stdoutLines == ["Applied 0 new changes (2 already held)."], "\(text)")
        let json = try jsonObject(try await sandbox.ok("bundle", "apply", "to-field.bundle", "--json", store: replicas.field))
        #expect(Set(json.keys) == ["applied", "already_held", "conflicts", "clock"])
        #expect(json["applied"] as? Int == 0 && json["already_held"] as? Int == 2 && json["conflicts"] as? Int == 0)
        #expect(json["clock"] as? [String: Int] == before.clock)
        #expect(try await sandbox.snapshot(replicas.field) == before)
    }

    @Test func bundleSinceThePeersClockSendsOnlyWhatItLacks() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", "desk note", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--color", "red", store: replicas.desk)
        _ = try await sandbox.annotate(replicas.article, quote: "three generals", store: replicas.field)

        let deskClock = try Self.clockArgument(try await sandbox.status(replicas.desk))
        let fieldClock = try Self.clockArgument(try await sandbox.status(replicas.field))
        let toField = try await sandbox.ok("bundle", "create", "d2f.bundle", "--since", fieldClock, store: replicas.desk)
        let toDesk = try await sandbox.ok("bundle", "create", "f2d.bundle", "--since", deskClock, store: replicas.field)
        #expect(toField.stdoutLines == ["Wrote 2 changes (\(sandbox.bytes("d2f.bundle")?.count ?? -1) bytes) to d2f.bundle."], "\(toField)")
        #expect(toDesk.stdoutLines == ["Wrote 1 change (\(sandbox.bytes("f2d.bundle")?.count ?? -1) bytes) to f2d.bundle."], "\(toDesk)")

        let appliedToField = try await sandbox.ok("bundle", "apply", "d2f.bundle", store: replicas.field)
        let appliedToDesk = try await sandbox.ok("bundle", "apply", "f2d.bundle", store: replicas.desk)
        #expect(appliedToField.stdoutLines == ["Applied 2 new changes."], "\(appliedToField)")
        #expect(appliedToDesk.stdoutLines == ["Applied 1 new change."], "\(appliedToDesk)")
        try await replicas.expectConverged()

        // In sync: nothing more to send.
        let ownClock = try Self.clockArgument(try await sandbox.status(replicas.field))
        let nothing = try await sandbox.ok("bundle", "create", "none.bundle", "--since", ownClock, store: replicas.desk)
        #expect(nothing.stdoutLines.first?.hasPrefix("Wrote 0 changes (") == true, "\(nothing)")
    }

    @Test func aBundleMissingEarlierChangesIsRefusedWhole() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        let deskReplica = try #require(string(try await sandbox.status(replicas.desk), "replica"))
        try await sandbox.ok("edit", replicas.annotation, "--note", "third", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "fourth", store: replicas.desk)
        let partial = try await sandbox.ok("bundle", "create", "partial.bundle", "--since", "{\"\(deskReplica)\": 3}", store: replicas.desk)
        #expect(partial.stdoutLines.first?.hasPrefix("Wrote 1 change (") == true, "\(partial)")

        let before = try await sandbox.snapshot(replicas.field)
        expectCleanFailure(
            try await sandbox.gloss("bundle", "apply", "partial.bundle", store: replicas.field),
            mentioning: ["1 change needs change 3 of replica \(deskReplica)", "nothing was applied"])
        #expect(try await sandbox.snapshot(replicas.field) == before)

        // A clone from it fails the same way, and leaves no half-made store behind.
        expectCleanFailure(
            try await sandbox.run(["clone", "partial.bundle", "--store", sandbox.path("third.sqlite")]),
            mentioning: ["1 change needs changes 1...3 of replica \(deskReplica)"])
        #expect(!sandbox.exists("third.sqlite") && !sandbox.exists("third.sqlite-wal") && !sandbox.exists("third.sqlite-shm"))
    }

    /// A `status --json` clock, re-encoded as the JSON `--since` takes.
    static func clockArgument(_ status: [String: Any]) throws -> String {
        let clock = try #require(status["clock"] as? [String: Int])
        return String(decoding: try JSONSerialization.data(withJSONObject: clock, options: [.sortedKeys]), as: UTF8.self)
    }
}

@Suite struct ConflictTests {
    @Test func concurrentNoteEditsConflictAlikeOnBothAndPickSettlesIt() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", "desk: HUR only", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "field: confirmed by a second source", store: replicas.field)
        let (toField, toDesk) = try await replicas.exchange()
        let conflictLine = "Applied 1 new change (2 already held); 1 new conflict (see 'gloss conflicts')."
        #expect(toField.stdoutLines == [conflictLine], "\(toField)")
        #expect(toDesk.stdoutLines == [conflictLine], "\(toDesk)")

        // Both show the conflict, with the same provisional winner and the same numbering.
        let onDesk = try #require(try await replicas.annotationJSON(on: replicas.desk))
        let onField = try #require(try await replicas.annotationJSON(on: replicas.field))
        #expect(onDesk["conflicts"] as? [String] == ["note"] && onField["conflicts"] as? [String] == ["note"])
        #expect(string(onDesk, "note") == string(onField, "note"))
        #expect(["desk: HUR only", "field: confirmed by a second source"].contains(string(onDesk, "note") ?? ""))
        try await replicas.expectConverged()

        let conflicts = try jsonArray(try await sandbox.ok("conflicts", "--json", store: replicas.field))
        #expect(conflicts.count == 1)
        let conflict = try #require(conflicts.first)
        #expect(Set(conflict.keys).isSuperset(of: ["id", "field", "values"]))
        #expect(string(conflict, "id") == replicas.annotation && string(conflict, "field") == "note")
        let values = try #require(conflict["values"] as? [[String: Any]])
        #expect(values.allSatisfy { Set($0.keys).isSuperset(of: ["value", "replica", "time"]) })
        #expect(Set(values.compactMap { string($0, "value") }) == ["desk: HUR only", "field: confirmed by a second source"])
        let deskReplica = try #require(string(try await sandbox.status(replicas.desk), "replica"))
        let fieldReplica = try #require(string(try await sandbox.status(replicas.field), "replica"))
        #expect(Set(values.compactMap { string($0, "replica") }) == [deskReplica, fieldReplica])
        #expect(try await sandbox.status(replicas.desk)["conflicts"] as? Int == 1)

        let text = try await sandbox.ok("conflicts", store: replicas.desk)
        #expect(text.stdoutLines.first == "annotation \(replicas.annotation): note")
        #expect(text.stdoutLines.count == 3)
        #expect(text.stdoutLines.dropFirst().allSatisfy { $0.hasPrefix("  [") })
        #expect(text.stdout.contains("by desk (\(deskReplica)) (this replica) at "))
        let shown = try await sandbox.ok("show", replicas.article, store: replicas.desk)
        #expect(shown.stdout.contains("[conflict: note]"))

        // Pick the first value on the field; exchange; both agree, with no conflict left.
        let picked = try #require(string(values[0], "value"))
        let resolved = try await sandbox.ok("resolve", replicas.annotation, "note", "--pick", "1", store: replicas.field)
        #expect(resolved.stdoutLines == ["Resolved note of \(replicas.annotation)."], "\(resolved)")
        let none = try await sandbox.ok("conflicts", store: replicas.field)
        #expect(none.stdoutLines.isEmpty && none.stderr.contains("No conflicts."), "\(none)")
        try await replicas.exchange()
        try await replicas.expectConverged()
        for store in [replicas.desk, replicas.field] {
            let annotation = try #require(try await replicas.annotationJSON(on: store))
            #expect(string(annotation, "note") == picked && annotation["conflicts"] as? [String] == [])
            #expect(try jsonArray(try await sandbox.ok("conflicts", "--json", store: store)).isEmpty)
        }
    }

    @Test func resolveWithValueReplacesAllValues() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.article, "--title", "Desk title", store: replicas.desk)
        try await sandbox.ok("edit", replicas.article, "--title", "Field title", store: replicas.field)
        try await replicas.exchange()
        let article = try jsonObject(try await sandbox.ok("show", replicas.article, "--json", store: replicas.desk))
        #expect(article["conflicts"] as? [String] == ["title"])
        #expect(try jsonArray(try await sandbox.ok("conflicts", "--json", store: replicas.desk)).first?["kind"] as? String == "article")
        try await sandbox.ok("resolve", String(replicas.article.prefix(6)), "title", "--value", "Agreed title", store: replicas.desk)
        try await replicas.exchange()
        try await replicas.expectConverged()
        let shown = try jsonObject(try await sandbox.ok("show", replicas.article, "--json", store: replicas.field))
        #expect(string(shown, "title") == "Agreed title" && shown["conflicts"] as? [String] == [])
    }

    @Test func deleteAgainstEditKeepsTheAnnotationUntilKept() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("delete", replicas.annotation, store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "still relevant", store: replicas.field)
        try await replicas.exchange()

        for store in [replicas.desk, replicas.field] {
            let annotation = try #require(try await replicas.annotationJSON(on: store), "listed on \(store)")
            #expect(annotation["conflicts"] as? [String] == ["deleted"])
            #expect(string(annotation, "note") == "still relevant")
            let conflict = try #require(try jsonArray(try await sandbox.ok("conflicts", "--json", store: store)).first)
            #expect(string(conflict, "field") == "deleted" && string(conflict, "id") == replicas.annotation)
            let values = (conflict["values"] as? [[String: Any]] ?? []).compactMap { string($0, "value") }
            #expect(Set(values) == ["deleted", "edited"])
        }
        let text = try await sandbox.ok("conflicts", store: replicas.desk)
        #expect(
            text.stdoutLines.first
                == "annotation \(replicas.annotation): deleted on one replica, edited on another (settle with 'gloss resolve ID --keep' or 'gloss delete ID')"
        )
        try await replicas.expectConverged()

        let kept = try await sandbox.ok("resolve", replicas.annotation, "--keep", store: replicas.desk)
        #expect(kept.stdoutLines == ["Kept annotation \(replicas.annotation)."], "\(kept)")
        try await replicas.exchange()
        try await replicas.expectConverged()
        for store in [replicas.desk, replicas.field] {
            let annotation = try #require(try await replicas.annotationJSON(on: store))
            #expect(annotation["conflicts"] as? [String] == [] && string(annotation, "note") == "still relevant")
        }
        // Once kept, there is nothing left to keep.
        expectCleanFailure(
            try await sandbox.gloss("resolve", replicas.annotation, "--keep", store: replicas.desk),
            mentioning: ["not in a delete-vs-edit conflict"])
    }

    @Test func deleteAgainstEditThenASecondDeleteRemovesIt() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--color", "red", store: replicas.desk)
        try await sandbox.ok("delete", replicas.annotation, store: replicas.field)
        try await replicas.exchange()
        #expect(try await replicas.annotationJSON(on: replicas.desk)?["conflicts"] as? [String] == ["deleted"])

        try await sandbox.ok("delete", replicas.annotation, store: replicas.field)
        try await replicas.exchange()
        try await replicas.expectConverged()
        for store in [replicas.desk, replicas.field] {
            #expect(try await replicas.annotationJSON(on: store) == nil)
            #expect(try await sandbox.status(store)["annotations"] as? Int == 0)
            #expect(try jsonArray(try await sandbox.ok("conflicts", "--json", store: store)).isEmpty)
        }
    }

    @Test func aConcurrentAddAndRemoveOfATagKeepsIt() async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        // The desk removes the tag; meanwhile the field removes and adds it again (a new add).
        try await sandbox.ok("edit", replicas.annotation, "--remove-tag", "verify", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--remove-tag", "verify", store: replicas.field)
        try await sandbox.ok("edit", replicas.annotation, "--add-tag", "verify", "--add-tag", "recheck", store: replicas.field)
        // A remove nobody raced removes: the article's tag.
        try await sandbox.ok("edit", replicas.article, "--remove-tag", "ukraine", store: replicas.desk)
        try await replicas.exchange()
        try await replicas.expectConverged()
        for store in [replicas.desk, replicas.field] {
            let annotation = try #require(try await replicas.annotationJSON(on: store))
            #expect(annotation["tags"] as? [String] == ["recheck", "verify"])
            #expect(annotation["conflicts"] as? [String] == [])
            let article = try #require(try jsonArray(try await sandbox.ok("articles", "--json", store: store)).first)
            #expect(article["tags"] as? [String] == [])
        }
    }

    @Test func mergeCombinesEditsToDifferentWords() async throws {
        let replicas = try await TwoReplicas.make(note: "HUR is the only source for the date")
        let sandbox = replicas.sandbox
        try await sandbox.ok(
            "edit", replicas.annotation, "--note", "HUR is the only source for the late-October date", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "Update: HUR is the only source for the date", store: replicas.field)
        try await replicas.exchange()
        let merged = try await sandbox.ok("resolve", replicas.annotation, "note", "--merge", store: replicas.desk)
        #expect(merged.stdoutLines == ["Resolved note of \(replicas.annotation)."], "\(merged)")
        try await replicas.exchange()
        try await replicas.expectConverged()
        let annotation = try #require(try await replicas.annotationJSON(on: replicas.field))
        #expect(string(annotation, "note") == "Update: HUR is the only source for the late-October date")
        #expect(annotation["conflicts"] as? [String] == [])
    }

    @Test func mergeOfOverlappingEditsFailsShowingBothAndWritesNothing() async throws {
        let replicas = try await TwoReplicas.make(note: "HUR is the only source for the date")
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", "HUR is the main source for the date", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "HUR is the sole source for the date", store: replicas.field)
        try await replicas.exchange()
        let before = try await sandbox.snapshot(replicas.desk)
        let failed = try await sandbox.gloss("resolve", replicas.annotation, "note", "--merge", store: replicas.desk)
        expectCleanFailure(
            failed,
            mentioning: [
                "the edits overlap", "\"HUR is the main source for the date\"",
                "\"HUR is the sole source for the date\"", "--pick",
            ])
        #expect(try await sandbox.snapshot(replicas.desk) == before)
        #expect(try await replicas.annotationJSON(on: replicas.desk)?["conflicts"] as? [String] == ["note"])
    }

    @Test(arguments: [
        (["note", "--pick", "3"], "--pick 3: there are 2 values"),
        (["note", "--pick", "0"], "--pick 0: there are 2 values"),
        (["color", "--pick", "1"], "the color of"),
        (["title", "--pick", "1"], "the title applies to articles"),
        (["--keep"], "is not in a delete-vs-edit conflict"),
    ])
    func resolveRefusesWhatIsNotThere(options: [String], message: String) async throws {
        let replicas = try await TwoReplicas.make()
        let sandbox = replicas.sandbox
        try await sandbox.ok("edit", replicas.annotation, "--note", "one", store: replicas.desk)
        try await sandbox.ok("edit", replicas.annotation, "--note", "two", store: replicas.field)
        try await replicas.exchange()
        let before = try await sandbox.snapshot(replicas.desk)
        expectCleanFailure(
            try await sandbox.run(["resolve", replicas.annotation] + options + ["--store", replicas.desk]),
            mentioning: [message])
        #expect(try await sandbox.snapshot(replicas.desk) == before)
    }
}
