import GlossCore
import GlossStore

/// A device as a person names it on the command line: its device id
/// (`XXXXXXX-XXXXXXX-XXXXXXX-XXXXXXX`) or its replica id in hex. A shorter hex prefix (4 digits
/// or more) only selects a device already on the allowlist: it never grants trust to a new one.
enum DeviceArgument {
    static func replicaID(_ text: String, in store: GlossStore, allowingPrefix: Bool) throws -> ReplicaID {
        if let device = DeviceID(parsing: text) { return device.replicaID }
        let hex = text.lowercased()
        if hex.count == 32, let id = ID128(hex: hex) { return id }
        let shown = Terminal.singleLine(text)
        guard allowingPrefix, hex.count >= 4, hex.allSatisfy(\.isHexDigit) else {
            throw CLIError(
                "'\(shown)' is not a device id (XXXXXXX-XXXXXXX-XXXXXXX-XXXXXXX, as 'gloss id' or 'gloss pending' shows it) or a replica id"
            )
        }
        let matches = try reportingErrors { try store.devices() }.map(\.replicaID).filter { $0.hex.hasPrefix(hex) }
        guard matches.count == 1 else {
            throw CLIError(
                matches.isEmpty
                    ? "no device on the allowlist starts with '\(shown)'; to trust a new device, give its whole device id"
                    : "'\(shown)' matches \(matches.count) devices; give more digits")
        }
        return matches[0]
    }
}
