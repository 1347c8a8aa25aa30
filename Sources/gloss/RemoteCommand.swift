import ArgumentParser
import GlossNetwork

struct Remote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Show or set the server 'gloss sync' uses when given none.",
        discussion: """
            'gloss clone HOST:PORT' sets it to the server cloned from, as git remembers origin. \
            With HOST:PORT it is set (the server must still be trusted: 'gloss devices'); with \
            --unset it is forgotten.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("The new default server.", valueName: "host:port")) var server: String?
    @Flag(help: "Forget the default server.") var unset = false

    func validate() throws {
        if server != nil && unset { throw ValidationError("give HOST:PORT or --unset, not both") }
    }

    func run() async throws {
        if server == nil && !unset {
            let store = try storeOptions.openForReading()
            let remote = try reportingErrors { try store.remote() }
            if output.json { return try printJSON(["remote": OrNull(remote)]) }
            guard let remote else {
                return Terminal.note("No default server: 'gloss remote HOST:PORT' sets one ('gloss clone' from a server does).")
            }
            return print(Terminal.singleLine(remote))
        }
        let address = try server.map { try parseEndpoint($0).description }
        let store = try storeOptions.open()
        try reportingErrors { try store.setRemote(address) }
        if output.json { return try printJSON(["remote": OrNull(address)]) }
        print(address.map { "'gloss sync' now syncs with \($0)." } ?? "No default server now.")
    }
}
