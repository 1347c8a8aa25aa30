import Foundation
import GlossCore
import GlossProtocol
import GlossStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// How one session ended, for the log line and the CLI summary.
public struct SyncReport: Sendable {
    public let outcome: SyncSession.Outcome?
    public let error: ProtocolError?
    /// True when the error came from the peer's ERROR message rather than from this side.
    public let peerReportedError: Bool
    public let address: String
    /// Bytes this side wrote and read on the connection, magic and frame headers included.
    public let bytesSent: Int
    public let bytesReceived: Int
    /// True when the server lets this device only pull (it is read-only there): nothing was sent.
    public var pullOnly = false
    /// Set when the server's HELLO showed that this store was restored from a backup or copied
    /// (it holds changes under this replica's own id that this store lacks or holds otherwise):
    /// that HELLO. Nothing was sent; take a new id (`GlossStore.beginRecovery`) and sync again.
    public var restoredBy: SyncMessage.Hello?
    /// Authors this replica holds proof that they forked (SPEC §6.7), when the session ended:
    /// replicas holding different branches of one have equal clocks and different states.
    public var forkedAuthors: [ReplicaID] = []
    /// True when the connection broke, stalled past the idle timeout or closed mid-session
    /// (rather than a side refusing something): another attempt can succeed.
    public var connectionLost = false
    /// Bytes of CHANGES frames this side sent, and of those the peer acknowledged: what was
    /// sent and not acknowledged is sent again by the next session.
    public var batchBytesSent = 0
    public var batchBytesAcknowledged = 0
    /// Batch bytes sent that the peer never acknowledged: the next session sends them again.
    public var unacknowledgedBatchBytes: Int { batchBytesSent - batchBytesAcknowledged }
    /// What the session learned of the link: pass it to the next attempt (`SyncClient.sync`'s
    /// `resuming`), which then starts at this batch size.
    public var learned: (budget: Int, compressionRatio: Double)?
    /// Changes received and applied that were new here, whether or not the session completed.
    public var receivedChanges = 0
    /// Changes the peer acknowledged (committed), whether or not the session completed.
    public var acknowledgedChanges = 0
    /// Changes of the batch in flight when the session ended: the peer may have committed them
    /// without its ACK arriving (`SyncRun` asks the next session's HELLO).
    public var unacknowledgedChanges: [Dot] = []
    /// The clock the peer announced in its HELLO, if the session got that far.
    public var peerClockAtHello: VersionVector?
    /// Per author, the highest seq the peer acknowledged in this session.
    public var acknowledgedThrough = VersionVector()

    /// What this session tells a `DeliveryLedger` about the changes it delivered.
    public var delivery: DeliveryLedger.Session {
        DeliveryLedger.Session(
            peerClockAtHello: peerClockAtHello, acknowledgedChanges: acknowledgedChanges, acknowledgedThrough: acknowledgedThrough,
            unacknowledged: unacknowledgedChanges)
    }

    /// True when trying again can succeed: the connection was lost, or the server was busy or
    /// gave up waiting. Never for a refusal (trust, store, history) or a divergence.
    public var isNetworkFailure: Bool {
        guard outcome == nil, let error else { return false }
        if peerReportedError { return error.code == .busy || error.code == .timeout }
        return connectionLost
    }
}

/// Drives a `SyncSession` over one connection: reads frames, carries out the session's actions,
/// feeds it batches from the store. Store work runs on NIO's thread pool, never on an event loop.
enum SyncConnection {
    typealias Channel = NIOAsyncChannel<SyncFrame, ByteBuffer>

    /// `local` is what this side says in its HELLO; a client computes it before connecting, so
    /// its own store work does not eat into the handshake deadline. A server passes nil and
    /// computes it only once a HELLO has arrived, so a stranger's garbage costs no store work.
    ///
    /// `tls` holds what the handshake proved about the peer; a server passes its `gate`, which
    /// decides what the device may do before anything of the store is said.
    static func run(
        _ channel: Channel, role: SyncSession.Role, replica: SyncReplica, local: SyncSession.Local?, address: String,
        tls: TLSPeer, gate: DeviceGate? = nil, pingInterval: Duration = SyncProtocol.pingInterval, flushWithin: TimeAmount,
        resuming learned: (budget: Int, compressionRatio: Double)? = nil, progress: (@Sendable (SyncProgress) -> Void)? = nil
    ) async -> SyncReport {
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var driver = Driver(replica: replica, outbound: outbound, address: address, progress: progress)
                driver.pingInterval = pingInterval
                driver.learned = learned
                let pipeline = channel.channel.pipeline
                driver.markWaiting = { pipeline.fireUserInboundEventTriggered(ProgressWatchdog.Waiting(isWaiting: $0)) }
                driver.tls = tls
                driver.gate = gate
                var frames = inbound.makeAsyncIterator()
                let report = try await driver.run(role: role, local: local, frames: &frames)
                await closeGracefully(channel.channel, draining: &frames, tls: tls, flushWithin: flushWithin)
                return report
            }
        } catch let error as GlossStoreError {
            // This side's store failed mid-session (reading the next batch): not the link's fault.
            return SyncReport(
                outcome: nil, error: ProtocolError(.internalError, error.message, at: 0), peerReportedError: false, address: address,
                bytesSent: 0, bytesReceived: 0)
        } catch {
            var report = SyncReport(
                outcome: nil, error: ProtocolError(.internalError, "the connection failed: \(error)", at: 0),
                peerReportedError: false, address: address, bytesSent: 0, bytesReceived: 0)
            report.connectionLost = true
            return report
        }
    }

    struct Driver {
        let replica: SyncReplica
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let address: String
        let progress: (@Sendable (SyncProgress) -> Void)?
        var feed: ChangeFeed?
        var session: SyncSession!
        var outcome: SyncSession.Outcome?
        var failure: (ProtocolError, Bool)?
        var bytesSent = 0
        var bytesReceived = 0
        var writeFailed = false
        /// Changes read from the feed and not yet sent.
        var feedFinished = false
        var tls: TLSPeer?
        var gate: DeviceGate?
        var pullOnly = false
        var restoredHere: SyncMessage.Hello?
        var forkedAuthors: [ReplicaID] = []
        var connectionLost = false
        /// How often a busy side sends PING to a peer that named `ping`.
        var pingInterval = SyncProtocol.pingInterval
        /// What an earlier session on this link learned, for a client's new session.
        var learned: (budget: Int, compressionRatio: Double)?
        /// Runs (true) and pauses this side's idle timeout: it runs only while the driver waits for
        /// the peer's next frame.
        var markWaiting: @Sendable (Bool) -> Void = { _ in }
        /// The size of the frame read last, for progress.
        var lastFrameBytes = 0
        /// Bytes of PING frames sent while busy (from another task than the driver's).
        let pingBytes = NIOLockedValueBox(0)
        /// The origin of the session's monotonic time (`SyncSession` sizes batches by it).
        let started = ContinuousClock.now

        var now: Duration { ContinuousClock.now - started }

        init(
            replica: SyncReplica, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, address: String,
            progress: (@Sendable (SyncProgress) -> Void)?
        ) {
            self.replica = replica
            self.outbound = outbound
            self.address = address
            self.progress = progress
        }

        mutating func run(
            role: SyncSession.Role, local: SyncSession.Local?, frames: inout NIOAsyncChannelInboundStream<SyncFrame>.AsyncIterator
        ) async throws -> SyncReport {
            try await write(SyncProtocol.magic)
            var first: SyncMessage?
            if role == .server {
                // Nothing is read from the store until the peer has said a well-formed HELLO.
                session = SyncSession.awaitingHello()
                _ = session.begin(at: now)
                guard let message = try await nextMessage(&frames) else { return report() }
                let actions = session.receive(message, at: now)
                guard case .needLocal(let hello)? = actions.first else {
                    try await perform(actions)
                    return report()
                }
                first = .hello(hello)
            }
            var capabilities: [String] = []  // what the server adds for this device
            if let gate, case .hello(let hello) = first {
                let (proven, address) = (tls?.replicaID, self.address)
                switch try await offload({ gate.admit(hello, proven: proven, address: address) }) {
                case .refuse(let code, let why):
                    try await perform(session.fail(code, why))
                    return report()
                case .admit(let pullOnly):
                    if pullOnly { capabilities.append(SyncProtocol.pullOnlyCapability) }
                }
            }
            let replica = self.replica
            if case .hello(let hello)? = first {
                // A restored client finds out itself from this server's HELLO, and re-keys.
                switch try await offload({ replica.checkHistories(against: hello) }) {
                case .agree, .restoredThere:
                    break
                case .restoredHere(let error), .refuse(let error):
                    try await perform(session.fail(error.code, error.message))
                    return report()
                }
                // Before this side's HELLO, so that it passes on what it just learned.
                _ = try await offload { replica.learnForks(from: hello) }
            }
            do {
                let known = local
                var local = try await busy { try known ?? replica.local() }
                local.capabilities += capabilities
                if role == .server {
                    try await perform(session.provide(local: local, at: now))
                } else {
                    session = SyncSession(role: role, local: local)
                    if let learned { session.resume(budget: learned.budget, compressionRatio: learned.compressionRatio) }
                    try await perform(session.begin(at: now))
                }
            } catch let error as GlossStoreError {
                try await perform(
                    session?.fail(.internalError, error.message) ?? [
                        .send(.error(code: .internalError, message: error.message)),
                        .fail(ProtocolError(.internalError, error.message, at: 0), peerSaidIt: false),
                    ])
                return report()
            }
            while !session.isFinished {
                guard let message = try await nextMessage(&frames) else { break }
                if role == .client, case .hello(let hello) = message, hello.replicaID != tls?.replicaID {
                    try await perform(
                        session.fail(.identityMismatch, "the server's HELLO names replica \(hello.replicaID.hex), not the key it proved"))
                    break
                }
                if role == .client, case .hello(let hello) = message {
                    switch try await offload({ replica.checkHistories(against: hello) }) {
                    case .agree:
                        break
                    case .restoredHere(let error):
                        // Nothing is sent: the caller takes a new id and syncs again (GlossStore+Recovery).
                        restoredHere = hello
                        try await perform(session.fail(error.code, error.message))
                        return report()
                    case .restoredThere(let error), .refuse(let error):
                        try await perform(session.fail(error.code, error.message))
                        return report()
                    }
                    _ = try await offload { replica.learnForks(from: hello) }
                }
                let acknowledged = (session.acknowledgedChanges, session.batchBytesAcknowledged)
                try await perform(session.receive(message, at: now))
                if session.acknowledgedChanges > acknowledged.0 {
                    progress?(
                        .sent(changes: session.acknowledgedChanges - acknowledged.0, bytes: session.batchBytesAcknowledged - acknowledged.1)
                    )
                }
            }
            return report()
        }

        /// The next batch to send and whether it is the last: a page from the feed of about
        /// `byteLimit` bytes, signed.
        mutating func nextBatch(byteLimit: Int) async throws -> (SignedBatch, Bool) {
            guard !feedFinished else { return (.empty, true) }
            let current = feed
            let (page, advanced) = try await offload { () throws -> ((SignedBatch, Bool), ChangeFeed?) in
                guard var cursor = current, let page = try cursor.next(byteLimit: byteLimit) else { return ((.empty, true), current) }
                return ((page.batch, page.isLast), cursor)
            }
            feed = advanced  // the feed is a value: keep the advanced cursor
            feedFinished = page.1
            return page
        }

        /// The next message, or nil when the session is over: the peer closed the connection,
        /// or sent something unreadable (then the peer has been told why).
        mutating func nextMessage(_ frames: inout NIOAsyncChannelInboundStream<SyncFrame>.AsyncIterator) async throws -> SyncMessage? {
            let frame: SyncFrame?
            markWaiting(true)
            defer { markWaiting(false) }
            do {
                frame = try await frames.next()
            } catch let error as ProtocolError where error.code == .truncated {
                // The peer closed its side: nothing sent now could be read (SPEC §11.9).
                failure = (error, false)
                connectionLost = true
                return nil
            } catch let error as ProtocolError {
                // A timeout: the link stalled. A bad frame header: the peer is told why.
                connectionLost = error.code == .timeout
                try await perform(session.fail(error.code, error.message))
                return nil
            } catch {
                failure = (ProtocolError(.truncated, "the connection was reset mid-session (\(error))", at: 0), false)
                // A TLS error is the peer refusing or not speaking Gloss's TLS; anything else
                // (a reset, a close without TLS's goodbye, a close mid-handshake) is the link.
                connectionLost = Self.isLinkFailure(error)
                return nil
            }
            guard let frame else {
                failure = (ProtocolError(.truncated, "the peer closed the connection mid-session", at: 0), false)
                connectionLost = true
                return nil
            }
            bytesReceived += 5 + frame.body.count
            lastFrameBytes = 5 + frame.body.count
            let isChanges = frame.type == SyncMessage.Kind.changes.rawValue || frame.type == SyncMessage.Kind.changesDeflated.rawValue
            if isChanges, 1 + frame.body.count > SyncProtocol.largestChangesFrame {
                try await perform(
                    session.fail(
                        .frameTooLarge,
                        "a CHANGES frame of \(1 + frame.body.count) bytes is above \(SyncProtocol.largestChangesFrame): its changes could not be forwarded"
                    ))
                return nil
            }
            if frame.type == SyncMessage.Kind.changesDeflated.rawValue, !session.acceptsDeflatedChanges {
                // Refused before anything is inflated: this side did not offer it, or it is early.
                try await perform(session.fail(.unexpectedMessage, "did not expect a deflated CHANGES now"))
                return nil
            }
            do {
                return try frame.message()
            } catch {
                let kind = SyncMessage.Kind(rawValue: frame.type).map { "\($0)" } ?? "unknown"
                try await perform(session.fail(error.code, "malformed \(kind) message: \(error.message)"))
                return nil
            }
        }

        /// Writes bytes; a failed write (the peer closed) is only noted: what the peer said
        /// before closing, often an ERROR, is still read and reported.
        mutating func write(_ bytes: [UInt8]) async throws {
            guard !writeFailed else { return }
            do {
                try await outbound.write(ByteBuffer(bytes: bytes))
                bytesSent += bytes.count
            } catch {
                writeFailed = true
            }
        }

        func report() -> SyncReport {
            var report = SyncReport(
                outcome: outcome, error: failure?.0, peerReportedError: failure?.1 ?? false, address: address,
                bytesSent: bytesSent + pingBytes.withLockedValue { $0 },
                bytesReceived: bytesReceived + (bytesReceived > 0 ? SyncProtocol.magic.count : 0), pullOnly: pullOnly)
            report.restoredBy = restoredHere
            report.forkedAuthors = forkedAuthors
            report.connectionLost = connectionLost && outcome == nil
            if let session {
                report.batchBytesSent = session.batchBytesSent
                report.batchBytesAcknowledged = session.batchBytesAcknowledged
                report.receivedChanges = session.receivedChanges
                report.acknowledgedChanges = session.acknowledgedChanges
                report.unacknowledgedChanges = session.unacknowledgedChanges
                report.peerClockAtHello = session.peer?.clock
                report.acknowledgedThrough = session.acknowledgedThrough
                report.learned = (session.budget.bytes, session.compressionRatio)
            }
            return report
        }

        mutating func perform(_ actions: [SyncSession.Action]) async throws {
            for action in actions {
                let replica = self.replica
                switch action {
                case .needLocal:
                    break  // handled where the first message is read
                case .send(let message):
                    try await write(message.framed())
                case .sendFrame(_, let frame):
                    try await write(frame)
                case .joinStore(let storeID):
                    do {
                        try await offload { () throws in try replica.join(storeID) }
                    } catch let error as GlossStoreError {
                        try await perform(session.fail(.internalError, error.message))
                        return  // nothing after a failed join may run (no finish, no apply)
                    }
                case .startSending(let peer):
                    // A read-only device sends nothing: the server named it pull-only.
                    pullOnly = session.role == .client && peer.capabilities.contains(SyncProtocol.pullOnlyCapability)
                    feed = pullOnly ? nil : replica.feed(since: peer.clock, quotesByPosition: session.quotesByPosition)
                    let local = session.local.clock
                    let (toSend, toReceive) = (pullOnly ? 0 : peer.clock.missing(from: local), local.missing(from: peer.clock))
                    progress?(.started(toSend: Int(clamping: toSend), toReceive: Int(clamping: toReceive)))
                case .needBatch(let byteLimit):
                    if let gate, let peer = session.peer?.replicaID, !(try await offload { gate.maySync(peer) }) {
                        try await perform(session.fail(.notTrusted, "device \(DeviceID(peer)) is no longer trusted by this server"))
                        return
                    }
                    let (batch, isLast) = try await nextBatch(byteLimit: byteLimit)
                    try await perform(session.send(batch: batch, isLast: isLast, at: now))
                case .apply(let batch, let changes):
                    // A server applies a device's batch only while that device is read-write,
                    // checked inside the batch's own transaction (SPEC §11.13).
                    let device = gate == nil || changes.changes.isEmpty ? nil : session.peer?.replicaID
                    let byPosition = session.quotesByPosition
                    do {
                        let new = try await busy { () throws -> Int in
                            try replica.apply(changes, from: device, quotesByPosition: byPosition)
                        }
                        progress?(.received(changes: changes.changes.count, bytes: lastFrameBytes))
                        try await perform(session.applied(batch: batch, newChanges: new))
                    } catch let error as GlossStoreError {
                        try await perform(session.applyFailed(ProtocolError(error.wireCode, error.message, at: 0)))
                    }
                case .summarize:
                    do {
                        let (clock, digest) = try await busy { () throws in try replica.summary() }
                        try await perform(session.summarize(clock: clock, digest: digest))
                    } catch let error as GlossStoreError {
                        try await perform(session.fail(.internalError, error.message))
                    }
                case .finish(let outcome):
                    self.outcome = outcome
                    if outcome.diverged {
                        // Only forks of authors both replicas hold explain different states.
                        let forked = try await offload { replica.forkedAuthors() }
                        forkedAuthors = forked.filter { outcome.localClock[$0] > 0 && outcome.peerClock[$0] > 0 }
                    }
                    let (address, time) = (self.address, UInt64(Date().timeIntervalSince1970 * 1000))
                    try await offload { replica.record(outcome, address: address, time: time) }
                case .fail(let error, let peerSaidIt):
                    failure = (error, peerSaidIt)
                }
            }
        }
    }

    /// Makes sure the last bytes sent (a HELLO, a SUMMARY, an ERROR) reach the peer: shuts down
    /// output once everything queued is written, then reads and drops whatever the peer still
    /// sends until it closes too, for at most two seconds. Closing with unread input would
    /// reset the connection, and a reset can destroy data the peer has not read yet.
    ///
    /// The shutdown itself is bounded. Once TLS's handshake is done, by `flushWithin` (the idle
    /// timeout): what is queued, a batch and the ERROR behind it, gets that long to go out, as
    /// long as a link may stall. Before it, by two seconds: TLS holds a half-close back until
    /// its handshake completes, and one cut off by a timeout never does (once the session has
    /// stopped reading, nothing more is read), so the wait would otherwise be forever.
    static func closeGracefully(
        _ channel: any NIOCore.Channel, draining frames: inout NIOAsyncChannelInboundStream<SyncFrame>.AsyncIterator,
        tls: TLSPeer, flushWithin: TimeAmount
    ) async {
        let bound = tls.isHandshakeDone ? flushWithin : .seconds(2)
        let flushed = channel.eventLoop.scheduleTask(in: bound) { channel.close(promise: nil) }
        try? await channel.close(mode: .output).get()
        flushed.cancel()
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        while (try? await frames.next()) != nil {}
        deadline.cancel()
    }

    /// Threads for blocking store work. More than the cores: a session waiting on SQLite's
    /// write lock (a busy timeout) must not hold up another session's reads.
    static let storeThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// Runs blocking store work off the event loops and the session executor.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await storeThreads.runIfActive(work)
    }
}

extension SyncConnection.Driver {
    /// True when a read failed because the link broke, not because the peer spoke something
    /// else: every error but TLS's own, and of TLS's a close without its goodbye or mid-handshake.
    static func isLinkFailure(_ error: any Error) -> Bool {
        guard let tls = error as? NIOSSLError else { return true }
        switch tls {
        case .uncleanShutdown: return true
        case .handshakeFailed(.sslError(let stack)): return stack.contains(.eofDuringHandshake)
        default: return false
        }
    }

    /// Runs store work that may take a while (applying a batch, reading the store's state);
    /// meanwhile a peer that named `ping` gets a PING every `pingInterval`, so that its idle
    /// timeout sees this side alive (SPEC §11.11). (This side's own is paused: it runs only
    /// while the driver waits for a frame.)
    func busy<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard session?.peerTakesPing == true else { return try await offload(work) }
        let (outbound, interval, pingBytes) = (self.outbound, pingInterval, self.pingBytes)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await SyncConnection.offload(work) }
            group.addTask {
                // Whole frames, each one write: the writer takes writes from several tasks.
                let ping = SyncMessage.ping.framed()
                while (try? await Task.sleep(for: interval)) != nil {
                    guard (try? await outbound.write(ByteBuffer(bytes: ping))) != nil else { break }
                    pingBytes.withLockedValue { $0 += ping.count }
                }
                return nil
            }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if let value = finished { return value }
            }
            throw CancellationError()
        }
    }

    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await SyncConnection.offload(work)
    }
}

/// Progress a client may show while a session runs.
public enum SyncProgress: Sendable {
    /// The handshake is done: how many changes each side holds that the other lacks, from the
    /// two clocks (changes that arrive meanwhile are sent too, so a count may grow past it).
    case started(toSend: Int, toReceive: Int)
    /// The peer acknowledged a batch of `changes` in a frame of `bytes`.
    case sent(changes: Int, bytes: Int)
    /// A batch of `changes` in a frame of `bytes` was applied here.
    case received(changes: Int, bytes: Int)
}
