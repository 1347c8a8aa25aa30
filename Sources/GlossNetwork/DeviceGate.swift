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
    let refusals: RefusalLog

    /// The decision on a device that proved `proven` in TLS and said `hello`.
    func admit(_ hello: SyncMessage.Hello, proven: ReplicaID?, address: String) -> Admission {
        guard let proven, hello.replicaID == proven else {
            return .refuse(.identityMismatch, "the HELLO names replica \(hello.replicaID.hex), not the key this connection proved")
        }
        let device = DeviceID(proven)
        let role: DeviceRole?
        do {
            role = try store.role(of: proven)
        } catch {
            return .refuse(.internalError, error.message)
        }
        switch role {
        case .readWrite: return .admit(pullOnly: false)
        case .readOnly: return .admit(pullOnly: true)
        case .ignored: return .refuse(.notTrusted, Self.refusal(device))
        case .revoked:
            if refusals.shouldLog(proven) { log("\(address): refused device \(device) (revoked)") }
            return .refuse(.notTrusted, Self.refusal(device))
        case nil:
            let attempts = (try? store.recordPendingAttempt(proven, name: hello.name, address: address, time: Self.now())) ?? 0
            if refusals.shouldLog(proven) {
                let name = hello.name.isEmpty ? "" : " (\"\(hello.name)\")"
                log(
                    "\(address): refused unknown device \(device)\(name), attempt \(attempts); to allow it: gloss trust \(device) --role read-write"
                )
            }
            return .refuse(.notTrusted, Self.refusal(device))
        }
    }

    /// Why changes from `replica` may not be applied now, or nil when they may: its role is
    /// read-write (checked again at every batch, so a revoke or a downgrade cuts in).
    func refusalToApply(from replica: ReplicaID) -> ProtocolError? {
        switch try? store.role(of: replica) {
        case .readWrite: nil
        case .readOnly:
            ProtocolError(.notPermitted, "device \(DeviceID(replica)) may only pull from this server; no change was applied", at: 0)
        default: ProtocolError(.notTrusted, "device \(DeviceID(replica)) is no longer trusted by this server", at: 0)
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
