import ArgumentParser
import Foundation
import GlossStore

/// The `gloss` command line: annotate articles offline and merge notes safely between people.
@main
struct Gloss: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gloss",
        abstract: "Annotate news articles offline and merge the notes safely between replicas.",
        discussion: """
            Every command works on one store: --store PATH, else $GLOSS_STORE, else \
            $XDG_DATA_HOME/gloss/store.sqlite (~/.local/share/gloss/store.sqlite). \
            Ids print in full; any unique prefix of at least 4 hex digits is accepted. \
            Try 'gloss demo' for a guided tour.
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, Import.self, ImportAnnotations.self, Articles.self, Show.self, Annotate.self, Annotations.self, Search.self,
            Edit.self, Revise.self, Revisions.self, Reanchor.self,
            Delete.self, Restore.self, Archive.self, Unarchive.self, Conflicts.self, Resolve.self, Log.self, BlameCommand.self, Status.self,
            Verify.self,
            Backup.self, Export.self, BundleCommand.self,
            Serve.self, Sync.self, Remote.self, Clone.self, Peers.self, Id.self, Devices.self, Pending.self, Trust.self,
            Revoke.self, Ignore.self, Demo.self,
        ]
    )

    /// Runs the command; any failure is one line on stderr and a non-zero exit (64 for a
    /// usage mistake, 1 otherwise). Help and --version print as usual.
    static func main() async {
        limitMallocArenas()
        // The command parsed, once it is: a usage mistake its run() finds names its usage line.
        var parsed: ParsableCommand.Type?
        do {
            try refuseHelpForUnknownCommands(Array(CommandLine.arguments.dropFirst()))
            var command = try parseAsRoot()
            parsed = type(of: command)
            // What others are told holds the store if this process keeps it busy ("gloss serve").
            let words = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("-") }.prefix(2)
            GlossStore.describeProcess(as: "gloss " + (words.first == "bundle" ? words.joined(separator: " ") : words.first ?? ""))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)  // a command's chosen status ('conflicts --exit-code'): it has said all it says
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            var message = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            if message.isEmpty { message = "failed (\(error))" }
            if code == .validationFailure {
                // The command's usage line: the parsed command's, or where the parser knows
                // which command it was.
                let usage =
                    parsed.map { usageString(for: $0).split(whereSeparator: \.isWhitespace).joined(separator: " ") }
                    ?? fullMessage(for: error).split(separator: "\n").first { $0.hasPrefix("Usage: ") }.map { String($0.dropFirst(7)) }
                message += usage.map { "; usage: " + $0.trimmingCharacters(in: .whitespaces) } ?? " (see 'gloss help')"
            }
            Terminal.note(
                "gloss: "
                    + Terminal.singleLine(message.prefix(1) == "E" && message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
            )
            Foundation.exit(code.rawValue)
        }
    }

    /// `gloss help frob` names no command: argument-parser shows the general help for it, and
    /// exits 0, which hides a typo from scripts. Refused instead, like any unknown command.
    static func refuseHelpForUnknownCommands(_ arguments: [String]) throws {
        guard arguments.first == "help", arguments.count > 1 else { return }
        var command: ParsableCommand.Type = Gloss.self
        for name in arguments.dropFirst() where !name.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == name }) else {
                throw ValidationError("'\(name)' is not a gloss command")
            }
            command = next
        }
    }

    /// glibc gives each thread that allocates an arena of its own and keeps what it freed there;
    /// with the event loops and store threads of a sync that roughly doubled peak memory on a
    /// large clone (89 MB, against 37 MB with fewer arenas) without holding any more data.
    /// `mallopt` lives in malloc.h, which the Glibc module does not import, so it is looked up.
    static func limitMallocArenas() {
        #if os(Linux)
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
            _ = mallopt(-8, 2)  // M_ARENA_MAX
        #endif
    }
}
