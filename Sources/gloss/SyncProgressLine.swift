import Foundation
import GlossCore
import GlossNetwork

/// The line `gloss sync` and `gloss clone` redraw in place on a terminal (stderr) while they
/// run: changes done of the total each way, bytes and rate, time left, and the attempt with the
/// reason the last one failed.
///
///     sent 120/600 changes, received 0/3 · 41 KB at 3.9 KB/s · about 25 s left · attempt 2 (last: connection reset)
final class SyncProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var attempt = 1
    private var lastFailure: String?
    private var toSend = 0
    private var toReceive = 0
    private var sent = 0
    private var received = 0
    private var bytes = 0
    private var started = ContinuousClock.now
    private var drawn: ContinuousClock.Instant?

    /// A new attempt begins; `failure` is why the one before ended.
    func attempting(_ number: Int, after failure: String?) {
        lock.withLock {
            attempt = number
            lastFailure = failure
            (toSend, toReceive, sent, received, bytes) = (0, 0, 0, 0, 0)
            started = .now
        }
        draw(force: true)
    }

    func update(_ event: SyncProgress) {
        lock.withLock {
            switch event {
            case .started(let send, let receive):
                (toSend, toReceive) = (send, receive)
            case .sent(let changes, let size):
                sent += changes
                bytes += size
            case .received(let changes, let size):
                received += changes
                bytes += size
            }
        }
        draw(force: false)
    }

    /// Redraws at most five times a second, unless `force`.
    private func draw(force: Bool) {
        let line: String? = lock.withLock {
            let now = ContinuousClock.now
            if !force, let drawn, now - drawn < .milliseconds(200) { return nil }
            drawn = now
            return text(now: now)
        }
        if let line { Terminal.progress(line) }
    }

    /// The line for the state now (under the lock).
    private func text(now: ContinuousClock.Instant) -> String {
        var parts: [String] = []
        if toSend + toReceive + sent + received > 0 {
            parts.append("sent \(sent)/\(counted(max(sent, toSend), "change")), received \(received)/\(max(received, toReceive))")
            let elapsed = (now - started).inSeconds
            let rate = elapsed > 0 ? Double(bytes) / elapsed : 0
            parts.append("\(Self.size(bytes))" + (rate > 0 ? " at \(Self.size(Int(rate)))/s" : ""))
            let done = sent + received
            let left = max(0, toSend + toReceive - done)
            if done > 0, left > 0, rate > 0 {
                parts.append("about \(Int((Double(left) * Double(bytes) / Double(done) / rate).rounded(.up))) s left")
            }
        } else {
            parts.append("connecting…")
        }
        if attempt > 1 {
            parts.append("attempt \(attempt)" + (lastFailure.map { " (last: \(Terminal.singleLine($0)))" } ?? ""))
        }
        return Self.fitted(parts.joined(separator: " · "))
    }

    static func size(_ bytes: Int) -> String {
        bytes < 1024 ? "\(bytes) B" : bytes < 1 << 20 ? "\(bytes / 1024) KB" : String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    /// Cut to the terminal's width, so the line never wraps (a wrapped line cannot be redrawn).
    static func fitted(_ line: String) -> String {
        var size = winsize()
        let columns = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        return line.count < columns ? line : String(line.prefix(max(1, columns - 2))) + "…"
    }
}
