import GlossCore
import GlossStore

/// A device as a person names it on the command line: its device id
/// (`XXXXXXX-XXXXXXX-XXXXXXX-XXXXXXX`) or its replica id in hex. A shorter hex prefix (4 digits
/// or more) only selects a device already on the allowlist: it never grants trust to a new one.
enum DeviceArgument {
    /// The device named in full (its device id, or its replica id in hex), or nil.
    static func whole(_ text: String) -> ReplicaID? {
        DeviceID(parsing: text)?.replicaID ?? (text.count == 32 ? ID128(hex: text.lowercased()) : nil)
    }

    static func replicaID(_ text: String, in store: GlossStore, allowingPrefix: Bool) throws -> ReplicaID {
        if let id = whole(text) { return id }
        let hex = text.lowercased()
        let shown = Terminal.singleLine(text)
        let typed = text.uppercased().filter { $0 != "-" && $0 != " " }
        if typed.count == 28, typed.allSatisfy({ "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567018".contains($0) }) {
            throw CLIError("'\(shown)' is not a valid device id: its check characters do not match (is a character mistyped?)")
        }
        guard allowingPrefix, typed.count >= 4, typed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw CLIError(
                "'\(shown)' is not a device id (XXXXXXX-XXXXXXX-XXXXXXX-XXXXXXX, as 'gloss id' or 'gloss pending' shows it) or a replica id"
            )
        }
        // A prefix of the device id (as shown) or of the replica id in hex.
        let listed = try reportingErrors { try store.devices() }.map(\.replicaID)
        let matches = listed.filter { id in
            DeviceID(id).description.filter { $0 != "-" }.hasPrefix(typed) || id.hex.hasPrefix(hex)
        }
        guard matches.count == 1 else {
            throw CLIError(
                matches.isEmpty
                    ? "no device on the allowlist starts with '\(shown)' (a new device is named by its whole device id)"
                    : "'\(shown)' matches \(matches.count) devices; give more of the id")
        }
        return matches[0]
    }
}
