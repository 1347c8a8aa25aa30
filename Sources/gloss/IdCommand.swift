import ArgumentParser
import GlossCore

struct Id: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Show this replica's device id, to read aloud and compare with the person who will trust it.",
        discussion: """
            The device id is the replica id in base32 with two check characters, in four groups of \
            seven (A-Z and 2-7). Both forms name the same device.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let device: String
        let replica: String
        let name: OrNull<String>
    }

    func run() async throws {
        let identity = try storeOptions.openForReading().identity
        let report = Report(device: DeviceID(identity.replicaID).description, replica: identity.replicaID.hex, name: OrNull(identity.name))
        if output.json { return try printJSON(report) }
        print("device  \(report.device)")
        print("replica \(report.replica)")
        if let name = identity.name { print("name    \(Terminal.singleLine(name))") }
    }
}
