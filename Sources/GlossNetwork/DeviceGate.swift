import Foundation
import GlossCore
import GlossProtocol
import GlossStore
import NIOConcurrencyHelpers

/// What a server lets a connecting device do, decided from its allowlist before it says
/// anything about its store (SPEC §11.13). Roles are read from the store at each decision, so
/// `gloss trust`, `revoke` and `ignore` take effect in sessions already open, at their next
/// batch at the latest.
struct DeviceGate: Sendable {
    enum Admission: Equatable {
        /// Sync, pull-only for a read-only device.
        case admit(pullOnly: Bool)
        case refuse(ProtocolError.Code, String)
    }

    let store: GlossStore
    let log: SyncServer.Log
    /// At most one log line a minute per device and per host: fresh keys cost nothing, so a
    /// stranger could otherwise log a line (and write a pending row) per connection.
    let refusals: RefusalLog
    /// At most one pending row every six seconds per host.
    let pendingWrites = RefusalLog(interval: 6)

    /// The decision on a device that proved `proven` in TLS and said `hello`.
    func admit(_ hello: SyncMessage.Hello, proven: ReplicaID?, address: String) -> Admission {
        let host = Self.host(of: address)
        guard let proven, hello.replicaID == proven else {
            if refusals.shouldLog("mismatch " + host) {
                log("\(address): refused: its HELLO names replica \(hello.replicaID.hex), not the key it proved")
            }
            return .refuse(.identityMismatch, "the HELLO names replica \(hello.replicaID.hex), not the key this connection proved")
        }
        let device = DeviceID(proven)
        var role: DeviceRole?
        do {
            role = try store.role(of: proven)
            if role == nil, let inherited = try succession(of: proven, hello: hello, address: address) { role = inherited }
        } catch {
            log("\(address): cannot read the allowlist: \(error.message)")
            return .refuse(.internalError, "the server could not check its allowlist; try again later")
        }
        switch role {
        case .readWrite: return .admit(pullOnly: false)
        case .readOnly: return .admit(pullOnly: true)
        case .ignored: return .refuse(.notTrusted, Self.refusal(device))
        case .revoked:
            if refusals.shouldLog(proven.hex) { log("\(address): refused device \(device) (revoked)") }
            return .refuse(.notTrusted, Self.refusal(device))
        case nil:
            var attempts: Int?
            if pendingWrites.shouldLog(host) {
                attempts = try? store.recordPendingAttempt(proven, name: hello.name, address: address, time: Self.now())
            }
            if refusals.shouldLog(proven.hex), refusals.shouldLog("unknown " + host) {
                let name = hello.name.isEmpty ? "" : " (\"\(hello.name)\")"
                let count = attempts.map { ", attempt \($0)" } ?? ""
                log("\(address): refused unknown device \(device)\(name)\(count); to allow it: gloss trust \(device) --role read-write")
            }
            return .refuse(.notTrusted, Self.refusal(device))
        }
    }

    /// Whether `replica` may still receive changes (read-write or read-only).
    func maySync(_ replica: ReplicaID) -> Bool {
        (try? store.role(of: replica))?.maySync == true
    }

    static func refusal(_ device: DeviceID) -> String {
        "this server does not trust device \(device); its owner can allow it with: gloss trust \(device) --role read-write"
    }

    static func now() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }

    /// The host part of "HOST:PORT" (an IPv6 address keeps its colons).
    /// The role a device inherits from a trusted earlier id of its own replica (a store restored
    /// from a backup or copied, which took a new id, SPEC §11.4.1): the HELLO's succession
    /// statements must verify, in this store, and end at `proven`. The new id is trusted from
    /// then on with that role, and the owner is told in the log.
    func succession(of proven: ReplicaID, hello: SyncMessage.Hello, address: String) throws(GlossStoreError) -> DeviceRole? {
        guard !hello.successions.isEmpty,
            let earlier = Succession.predecessors(of: proven, in: store.identity.storeID, hello.successions)
        else { return nil }
        for old in earlier.reversed() {
            guard let role = try store.role(of: old) else { continue }
            guard role == .readWrite || role == .readOnly else { return nil }
            try store.setRole(role, of: proven, name: hello.name, time: Self.now())
            log(
                "\(address): device \(DeviceID(proven)) succeeds \(DeviceID(old)) (a store restored from a backup or copied took a new id); trusted \(role.rawValue) as it was"
            )
            return role
        }
        return nil
    }

    static func host(of address: String) -> String {
        String(address.split(separator: ":").dropLast().joined(separator: ":"))
    }
}

/// Logs a refused device (or host) at most once a minute, so one retrying in a loop cannot flood
/// the server's log.
final class RefusalLog: Sendable {
    private let lastLogged = NIOLockedValueBox<[String: Date]>([:])
    let interval: TimeInterval

    init(interval: TimeInterval = 60) { self.interval = interval }

    func shouldLog(_ replica: ReplicaID, now: Date = Date()) -> Bool { shouldLog(replica.hex, now: now) }

    func shouldLog(_ key: String, now: Date = Date()) -> Bool {
        lastLogged.withLockedValue { logged in
            if let last = logged[key], now.timeIntervalSince(last) < interval { return false }
            if logged.count > 10_000 { logged.removeAll() }
            logged[key] = now
            return true
        }
    }
}
