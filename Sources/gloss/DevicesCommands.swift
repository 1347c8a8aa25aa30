import ArgumentParser
import Foundation
import GlossCore
import GlossStore

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the devices this replica knows: device id, replica id, name, role, last seen, address.",
        discussion: """
            Roles are local to this replica and never synced. read-write devices sync both ways; \
            read-only devices may pull, and every change they send is refused; ignored and revoked \
            devices are refused. As a client, this replica syncs only with servers it lists as \
            read-write.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Listed: Encodable {
        let device: String
        let replica: String
        let name: OrNull<String>
        let role: String
        let lastSeen: OrNull<String>
        let address: OrNull<String>
        /// The change from which this device's history is proven forked (SPEC §6.7), or null.
        let forkedAt: OrNull<UInt64>

        enum CodingKeys: String, CodingKey {
            case device, replica, name, role, address
            case lastSeen = "last_seen"
            case forkedAt = "forked_at"
        }
    }

    func run() async throws {
        let store = try storeOptions.openForReading()
        let devices = try reportingErrors { try store.devices() }
        let forks = Dictionary(try reportingErrors { try store.forks() }.map { ($0.author, $0.seq) }) { first, _ in first }
        let listed = devices.map { device in
            Listed(
                device: DeviceID(device.replicaID).description, replica: device.replicaID.hex, name: OrNull(device.name),
                role: device.role.rawValue, lastSeen: OrNull(device.lastSeen.map(formatTime)), address: OrNull(device.address),
                forkedAt: OrNull(forks[device.replicaID]))
        }
        if output.json { return try printJSON(listed) }
        if listed.isEmpty {
            Terminal.note("No devices yet: 'gloss trust DEVICE --role read-write' adds one; 'gloss pending' lists who tried.")
        }
        for (device, record) in zip(listed, devices) {
            let name = record.name.map { " \"\(Terminal.singleLine($0))\"" } ?? ""
            let seen =
                record.lastSeen.map { "  last seen \(formatTime($0))" + (record.address.map { " from \(Terminal.singleLine($0))" } ?? "") }
                ?? ""
            let forked = device.forkedAt.value.map { "  ⚠ forked at change \($0)" } ?? ""
            print("\(device.device)  \(device.role)\(name)\(seen)\(forked)")
        }
    }
}

struct Pending: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List unknown devices that tried to sync with this replica: device id, name, address, attempts.",
        discussion: """
            The name is what the device said about itself: check its device id with its owner \
            before you trust it. Entries expire after 30 days; at most 100 are kept.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Listed: Encodable {
        let device: String
        let replica: String
        let name: String
        let address: String
        let firstAttempt: String
        let lastAttempt: String
        let attempts: Int

        enum CodingKeys: String, CodingKey {
            case device, replica, name, address, attempts
            case firstAttempt = "first_attempt"
            case lastAttempt = "last_attempt"
        }
    }

    func run() async throws {
        let pending = try reportingErrors { try storeOptions.openForReading().pendingDevices(now: currentTime()) }
        let listed = pending.map {
            Listed(
                device: DeviceID($0.replicaID).description, replica: $0.replicaID.hex, name: $0.name, address: $0.address,
                firstAttempt: formatTime($0.firstAttempt), lastAttempt: formatTime($0.lastAttempt), attempts: $0.attempts)
        }
        if output.json { return try printJSON(listed) }
        if listed.isEmpty { Terminal.note("No unknown device has tried to sync.") }
        for device in listed {
            let name = device.name.isEmpty ? "" : " \"\(Terminal.singleLine(device.name))\""
            print(
                "\(device.device)\(name)  from \(Terminal.singleLine(device.address))  \(counted(device.attempts, "attempt")), last \(device.lastAttempt)"
            )
            print("    to allow it: gloss trust \(device.device) --role read-write")
        }
    }
}

struct Trust: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Allow a device to sync with this replica, read-write or read-only.",
        discussion: """
            Give the whole device id (or replica id), read aloud or copied from the device's own \
            'gloss id': a prefix only selects a device already listed. Takes effect at once, in \
            running servers too.
            """
    )

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case readWrite = "read-write"
        case readOnly = "read-only"
    }

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: ArgumentHelp("The device.", valueName: "device")) var device: String
    @Option(help: "read-write or read-only.") var role: Role
    @Option(help: "A name to show for it.") var name: String?

    func run() async throws {
        let store = try storeOptions.open()
        let replica = try DeviceArgument.replicaID(device, in: store, allowingPrefix: true)
        guard replica != store.identity.replicaID else { throw CLIError("that is this replica's own device id") }
        // A prefix may change the role of a trusted device, never trust one that is not.
        let current = try reportingErrors { try store.role(of: replica) }
        if current?.maySync != true, DeviceArgument.whole(device) == nil {
            throw CLIError("give the whole device id to trust a device that is not trusted now")
        }
        try reportingErrors { try store.setRole(role == .readWrite ? .readWrite : .readOnly, of: replica, name: name, time: currentTime()) }
        print("Trusted device \(DeviceID(replica)) as \(role.rawValue).")
    }
}

/// `revoke` and `ignore`: the two ways to refuse a device.
struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Refuse a device from now on, including in a session it has open (at its next batch).")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: ArgumentHelp("The device.", valueName: "device")) var device: String

    func run() async throws { try refuse(device, as: .revoked, storeOptions: storeOptions, done: "Revoked") }
}

struct Ignore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ignore",
        abstract: "Refuse a device silently: its attempts are neither logged nor listed as pending.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: ArgumentHelp("The device.", valueName: "device")) var device: String

    func run() async throws { try refuse(device, as: .ignored, storeOptions: storeOptions, done: "Ignoring") }
}

private func refuse(_ device: String, as role: DeviceRole, storeOptions: StoreOptions, done: String) throws {
    let store = try storeOptions.open()
    let replica = try DeviceArgument.replicaID(device, in: store, allowingPrefix: true)
    guard replica != store.identity.replicaID else { throw CLIError("that is this replica's own device id") }
    try reportingErrors { try store.setRole(role, of: replica, time: currentTime()) }
    print("\(done) device \(DeviceID(replica)).")
}
