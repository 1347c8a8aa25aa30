import Foundation
import Testing

/// `gloss demo`, `--help`, `help <command>` and `--version`.
@Suite struct DemoAndHelpTests {
    static let commands = [
        "init", "import", "articles", "show", "annotate", "annotations", "edit", "delete",
        "conflicts", "resolve", "log", "status", "bundle", "clone", "demo",
    ]

    @Test func demoRunsTheTourAndTheDigestsMatch() async throws {
        let sandbox = try Sandbox()
        let result = try await sandbox.run(["demo"])
        #expect(result.succeeded, "\(result)")
        let digests = result.stdoutLines.filter { $0.hasPrefix("digest      ") }.map { $0.dropFirst(12) }
        #expect(digests.count == 2 && digests[0] == digests[1], "\(result)")
        let converged = try #require(result.stdoutLines.last)
        #expect(converged == "# Converged: both digests are \(digests.first ?? "?").", "\(result)")
        #expect(result.stdout.contains("$ gloss resolve --store desk.sqlite"))
        #expect(!result.stdout.contains("\u{1B}"), "NO_COLOR is set")
        // It cleans up after itself (its folder is under TMPDIR, the sandbox's tmp).
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.path("tmp")).isEmpty)
        #expect(!sandbox.exists("xdg"), "the demo touched no default store")
    }

    @Test func demoKeepLeavesItsFilesAndSaysWhere() async throws {
        let sandbox = try Sandbox()
        let result = try await sandbox.run(["demo", "--keep"])
        #expect(result.succeeded, "\(result)")
        let line = try #require(result.stdoutLines.first { $0.hasPrefix("The demo's files are in ") })
        let folder = String(line.dropFirst("The demo's files are in ".count))
        #expect(folder.hasPrefix(sandbox.path("tmp")))
        let status = try await sandbox.run(["status", "--json", "--store", folder + "/desk.sqlite"])
        #expect(try jsonObject(status)["annotations"] as? Int == 2)
    }

    @Test func helpListsEveryCommand() async throws {
        let sandbox = try Sandbox()
        let help = try await sandbox.run(["--help"])
        #expect(help.succeeded && help.stdout.contains("USAGE: gloss <subcommand>"), "\(help)")
        for command in Self.commands {
            #expect(help.stdoutLines.contains { $0.hasPrefix("  \(command) ") }, "--help lists \(command)")
        }
        let version = try await sandbox.run(["--version"])
        #expect(version.succeeded && version.stdoutLines == ["0.1.0"], "\(version)")
    }

    @Test(arguments: commands + ["bundle create", "bundle apply"])
    func helpForEachCommandShowsItsUsage(_ command: String) async throws {
        let sandbox = try Sandbox()
        let words = command.split(separator: " ").map(String.init)
        let result = try await sandbox.run(["help"] + words)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("OVERVIEW: "), "\(result)")
        #expect(result.stdout.contains("USAGE: gloss \(command)"), "\(result)")
        let flag = try await sandbox.run(words + ["--help"])
        #expect(flag.succeeded && flag.stdout == result.stdout, "\(flag)")
    }

    /// Help reads as argument-parser wraps it (no line breaks of ours inside a paragraph), and
    /// `gloss help` of something that is not a command is an error, not the general help.
    @Test func helpIsWrappedOnceAndUnknownTopicsAreErrors() async throws {
        let sandbox = try Sandbox()
        let clone = try await sandbox.run(["help", "clone"])
        #expect(clone.succeeded)
        // Each line is filled to near the 80 columns argument-parser wraps at: no short lines
        // inside the paragraph (a hand-wrapped discussion left "its\nowner" breaks).
        let paragraph = clone.stdoutLines.drop { !$0.hasPrefix("From a server") }.prefix { !$0.isEmpty }
        #expect(paragraph.count > 3 && paragraph.dropLast().allSatisfy { $0.count > 60 }, "\(paragraph)")
        let unknown = try await sandbox.run(["help", "frob"])
        expectCleanFailure(unknown, mentioning: ["'frob' is not a gloss command"])
        #expect(unknown.status == 64)
        #expect(try await sandbox.run(["help", "bundle", "apply"]).succeeded)
        let usage = try await sandbox.run(["annotate"])
        expectCleanFailure(
            usage, mentioning: ["Missing expected argument '<article>'", "usage: gloss annotate [--store <path>] <article> --quote"])
    }

    /// bash, zsh and fish completions complete file names where a command takes a file.
    @Test func completionsCompleteFileNames() async throws {
        let sandbox = try Sandbox()
        let bash = try await sandbox.run(["--generate-completion-script", "bash"])
        #expect(bash.succeeded && bash.stdout.contains("__gloss_add_completions -f"))
        let zsh = try await sandbox.run(["--generate-completion-script", "zsh"])
        #expect(zsh.succeeded && zsh.stdout.contains("--store[The store file.]:path:_files"), "\(zsh.stdout.prefix(2000))")
        let fish = try await sandbox.run(["--generate-completion-script", "fish"])
        #expect(fish.succeeded && fish.stdout.contains("\"gloss bundle apply\" -eq 1' -F"), "\(fish.stdout.prefix(2000))")
    }
}
