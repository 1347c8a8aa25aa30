import ArgumentParser
import Foundation
import GlossCore
import GlossStore

/// `--store PATH`, shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store file.", valueName: "path"), completion: .file())
    var store: String?

    /// --store, else $GLOSS_STORE, else $XDG_DATA_HOME/gloss/store.sqlite, else
    /// ~/.local/share/gloss/store.sqlite.
    var path: String {
        if let store { return store }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["GLOSS_STORE"], !path.isEmpty { return path }
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? NSHomeDirectory() + "/.local/share"
        return dataHome + "/gloss/store.sqlite"
    }

    /// Opens the store to edit it.
    func open(access: GlossStore.Access = .write) throws -> GlossStore {
        try reportingErrors { try GlossStore.open(at: path, access: access) }
    }

    /// Opens the store to look only: nothing is written to the file.
    func openForReading() throws -> GlossStore {
        try reportingErrors { try GlossStore.open(at: path, access: .read) }
    }
}

/// `--json`, for commands whose output has a stable machine-readable form.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (a stable interface) instead of text.")
    var json = false
}

/// Wall-clock milliseconds since 1970, for display only: no merge rule reads it.
func currentTime() -> UInt64 {
    UInt64(max(0, Date().timeIntervalSince1970 * 1000))
}
