import ArgumentParser
import Foundation
import GlossCore
import GlossNetwork
import GlossStore

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Run a guided tour in a temporary folder: two replicas trust each other, annotate, sync over TLS, conflict, resolve and converge."
    )

    @Flag(help: "Keep the temporary folder and print its path, to look around afterwards.") var keep = false

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        guard FileManager.default.changeCurrentDirectoryPath(folder) else { throw CLIError("cannot enter the demo folder \(folder)") }
        defer {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            if !keep { try? FileManager.default.removeItem(atPath: folder) }
        }
        try await DemoScript(folder: folder).run()
        if keep { print("\nThe demo's files are in \(folder)") }
    }
}

/// The tour itself: every step is a real `gloss` command, printed as typed, then run.
struct DemoScript {
    let folder: String

    func say(_ text: String) { print("\n" + Terminal.style("# " + text, "36")) }

    func gloss(_ arguments: String...) async throws {
        print(Terminal.style("$ gloss " + arguments.map(Self.quoted).joined(separator: " "), "1"))
        var command = try Gloss.parseAsRoot(arguments)
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    /// Runs a command that is meant to be refused, printing the refusal as the user would see it.
    func glossExpectingRefusal(_ arguments: String...) async throws {
        print(Terminal.style("$ gloss " + arguments.map(Self.quoted).joined(separator: " "), "1"))
        var command = try Gloss.parseAsRoot(arguments)
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            print("gloss: \(error.description)")
            return
        }
        throw CLIError("the demo expected that command to be refused: this is a bug in gloss")
    }

    static func quoted(_ argument: String) -> String {
        argument.contains(where: { " \"'$".contains($0) }) ? "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'" : argument
    }

    func run() async throws {
        guard let sample = Bundle.module.url(forResource: "sample-article", withExtension: "txt") else {
            throw CLIError("the sample article is missing from this build of gloss")
        }
        try FileManager.default.copyItem(atPath: sample.path, toPath: "kursk.txt")
        print("Gloss demo, in \(folder)")

        say("The desk (a reporter's laptop) creates a store and imports an article.")
        try await gloss("init", "--store", "desk.sqlite", "--name", "desk")
        try await gloss("import", "--store", "desk.sqlite", "kursk.txt", "--source", "kyivindependent.com", "--tag", "ukraine")
        let desk = try GlossStore.open(at: "desk.sqlite", access: .serve)
        let article = try desk.state().articles.keys.first!.hex

        say("\"Kursk Oblast\" appears twice, so the desk says which occurrence it means.")
        try await gloss(
            "annotate", "--store", "desk.sqlite", article, "--quote", "Kursk Oblast", "--occurrence", "2",
            "--note", "HUR is the only source for the date", "--color", "yellow", "--tag", "verify")
        let note = try onlyAnnotation(desk)

        say("The desk serves its store over mutual TLS (here on loopback, on a port the system picks).")
        let server = try await SyncServer.bind(store: desk, to: SyncEndpoint(host: "127.0.0.1", port: 0))
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let address = "127.0.0.1:\(server.port)"
        print(Terminal.style("$ gloss serve --store desk.sqlite --listen \(address) &", "1"))

        say("Each replica has a device id. The desk reads its own aloud to the field correspondent.")
        try await gloss("id", "--store", "desk.sqlite")
        let deskDevice = DeviceID(desk.identity.replicaID).description

        say("The field clones the desk's store, expecting exactly that device. The desk does not know the field yet, so it refuses.")
        try await glossExpectingRefusal("clone", "--store", "field.sqlite", address, "--name", "field", "--expect", deskDevice)

        say("The desk sees who tried, checks the id with the field correspondent, and trusts it.")
        try await gloss("pending", "--store", "desk.sqlite")
        guard let fieldDevice = try desk.pendingDevices(now: currentTime()).first.map({ DeviceID($0.replicaID).description }) else {
            throw CLIError("the demo's clone attempt was not listed as pending: this is a bug in gloss")
        }
        try await gloss("trust", "--store", "desk.sqlite", fieldDevice, "--role", "read-write", "--name", "field")

        say("The field runs the same clone again, with the same device id, and gets the store.")
        try await gloss("clone", "--store", "field.sqlite", address, "--name", "field", "--expect", deskDevice)

        say("Offline, both edit the same note, and the field adds an annotation of its own.")
        try await gloss("edit", "--store", "desk.sqlite", note, "--note", "HUR is the only source for the late-October date")
        try await gloss("edit", "--store", "field.sqlite", note, "--note", "Update: HUR is the only source for the date")
        try await gloss(
            "annotate", "--store", "field.sqlite", article, "--quote", "nearly 12,000 troops",
            "--note", "Contact at HUR confirms, off the record", "--tag", "source")

        say("Back online, the field syncs: one session sends what the desk lacks and fetches what it lacks.")
        try await gloss("sync", "--store", "field.sqlite", address)

        say("Neither edit of the note was lost: both are kept, side by side, as a conflict.")
        try await gloss("conflicts", "--store", "desk.sqlite")
        try await gloss("show", "--store", "desk.sqlite", article)

        say("The edits touched different words, so a 3-way merge against the common ancestor keeps both.")
        try await gloss("resolve", "--store", "desk.sqlite", note, "note", "--merge")
        try await gloss("annotations", "--store", "desk.sqlite")

        say("The article is corrected after publication. The desk records the new text as a revision; the highlights follow it.")
        let corrected = try String(contentsOfFile: "kursk.txt", encoding: .utf8)
            .replacingOccurrences(of: "nearly 12,000 troops", with: "nearly 13,000 troops")
        try corrected.write(toFile: "kursk-corrected.txt", atomically: true, encoding: .utf8)
        try await gloss("revise", "--store", "desk.sqlite", article, "kursk-corrected.txt", "--note", "troop figure corrected")
        try await gloss("annotations", "--store", "desk.sqlite")

        say("One more sync, and both replicas hold the same state: the digests match.")
        try await gloss("sync", "--store", "field.sqlite", address)
        try await gloss("status", "--store", "desk.sqlite")
        try await gloss("status", "--store", "field.sqlite")
        await server.close()
        let digests = try ["desk.sqlite", "field.sqlite"].map { StateDigest.hex(of: try GlossStore.open(at: $0).state()) }
        guard digests[0] == digests[1] else { throw CLIError("the demo's replicas diverged: this is a bug in gloss") }
        say("Converged: both digests are \(digests[0]).")
    }

    private func onlyAnnotation(_ store: GlossStore) throws -> String {
        try store.state().annotations.keys.sorted().first!.hex
    }

}
