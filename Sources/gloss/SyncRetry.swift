import ArgumentParser
import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol

/// `--timeout` and `--stall-timeout` of `gloss sync` and `gloss clone`.
struct RetryOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Give up after this much time, retrying network failures meanwhile; it ends an attempt under way too (0: one attempt).",
            valueName: "duration"))
    var timeout = TimeSpan(seconds: 300)

    @Option(
        name: .customLong("stall-timeout"),
        help: ArgumentHelp(
            "Replace a connection that makes no progress (no whole message, nor 4 KiB) for this long.", valueName: "duration"))
    var stallTimeout = TimeSpan(seconds: 20)

    func validate() throws {
        guard stallTimeout.seconds >= 1 else { throw ValidationError("--stall-timeout must be at least 1s") }
    }

    var limits: SyncLimits {
        var limits = SyncLimits()
        limits.idleTimeout = .milliseconds(Int64(stallTimeout.seconds * 1000))
        return limits
    }
}

/// A span of time typed on the command line: `90` or `90s`, `500ms`, `5m`, `2h`.
struct TimeSpan: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let (number, scale) =
            units.first { argument.hasSuffix($0.0) }.map { (String(argument.dropLast($0.0.count)), $0.1) } ?? (argument, 1)
        guard let value = Double(number), value.isFinite, value >= 0, value * scale <= 366 * 86_400 else { return nil }
        seconds = value * scale
    }

    var description: String {
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
    var defaultValueDescription: String { description }
}

/// One `gloss sync` or `gloss clone` run: the session that completed, and what it took.
struct SyncRun {
    private(set) var report: SyncReport
    /// Sessions tried, the last (successful) one included.
    private(set) var attempts: Int
    /// Bytes of batches sent in failed attempts and not acknowledged: sent again.
    private(set) var resentBytes: Int
    private(set) var seconds: Double
    /// Changes the peer committed and changes this side applied, in every attempt: a day sent
    /// through cuts is reported whole, not as what its last session carried.
    private(set) var sentChanges: Int
    private(set) var receivedChanges: Int

    init(completed report: SyncReport, loop: RetryLoop) {
        self.report = report
        attempts = loop.attempts
        resentBytes = loop.resentBytes
        seconds = loop.seconds
        sentChanges = loop.ledger.total(completing: report.delivery, sent: report.outcome?.sentChanges ?? 0)
        receivedChanges = loop.receivedEarlier + (report.outcome?.receivedChanges ?? 0)
    }

    /// This run followed by `next` (a restored store's sessions after it takes its new id): the
    /// last session's report, and what both took and moved.
    func then(_ next: SyncRun) -> SyncRun {
        var both = next
        both.attempts += attempts
        both.resentBytes += resentBytes
        both.seconds += seconds
        both.sentChanges += sentChanges
        both.receivedChanges += receivedChanges
        return both
    }
}

/// Retries what a network failure interrupted, with capped, jittered exponential back-off,
/// until a session completes or the deadline passes. An attempt that moved changes resets
/// the back-off: the link works, only the connection was lost.
struct RetryLoop {
    let deadline: ContinuousClock.Instant
    /// `--timeout 0`: one attempt, bounded by its own timeouts, not by the deadline.
    let isOneAttempt: Bool
    let started = ContinuousClock.now
    private(set) var attempts = 0
    private(set) var resentBytes = 0
    /// What failed attempts delivered to the peer, and what they left in doubt (a batch in
    /// flight when cut, which the peer may have committed without its ACK arriving).
    private(set) var ledger = DeliveryLedger()
    /// Changes failed attempts applied here.
    private(set) var receivedEarlier = 0
    private var failuresInARow = 0

    static let firstWait = 1.0
    static let longestWait = 30.0

    init(timeout: TimeSpan) {
        deadline = .now + .milliseconds(Int64(timeout.seconds * 1000))
        isOneAttempt = timeout.seconds == 0
    }

    var seconds: Double { (ContinuousClock.now - started).inSeconds }
    /// When an attempt under way is ended (`SyncLimits.deadline`); nil for one attempt.
    var attemptDeadline: ContinuousClock.Instant? { isOneAttempt ? nil : deadline }
    /// True when the time `--timeout` allowed has run out (never for one attempt).
    var timedOut: Bool { !isOneAttempt && ContinuousClock.now >= deadline }

    mutating func starting() { attempts += 1 }

    /// After a failed attempt, given what it reported: how long to wait before the next, or nil
    /// when the deadline would pass first.
    mutating func failed(_ report: SyncReport?) -> Double? {
        resentBytes += report?.unacknowledgedBatchBytes ?? 0
        if let report { ledger.record(report.delivery) }
        receivedEarlier += report?.receivedChanges ?? 0
        failuresInARow = Self.madeProgress(report) ? 1 : failuresInARow + 1
        let ceiling = min(Self.longestWait, Self.firstWait * pow(2, Double(failuresInARow - 1)))
        let wait = ceiling * Double.random(in: 0.5...1)
        return ContinuousClock.now + .milliseconds(Int64(wait * 1000)) < deadline ? wait : nil
    }

    /// True when an attempt moved changes for good, in either direction.
    static func madeProgress(_ report: SyncReport?) -> Bool {
        (report?.batchBytesAcknowledged ?? 0) > 0 || (report?.receivedChanges ?? 0) > 0
    }
}

/// A failure another attempt may get past: the link broke, stalled, or the server was busy.
struct NetworkFailure: Error {
    let reason: String
    let report: SyncReport?
}
