import GlossCore

/// One sync session between two replicas, as a state machine with no I/O (SPEC §11.6).
///
/// Feed it what arrives, carry out the actions it returns. The network driver (or a test) owns
/// the socket and the store; the session owns the rules: who speaks when, when a server needs
/// its own state, when the next batch is due and how many bytes it may hold (`.needBatch`, sized
/// to the link), each CHANGES frame's encoding (compressed when both sides can), when both
/// directions are done, and whether the two replicas diverged. `now` arguments are a monotonic
/// time with any origin, which the session uses only to size batches.
///
///     var session = SyncSession(role: .client, local: me)
///     perform(session.begin(at: now))                    // [.send(.hello)]
///     perform(session.receive(message, at: now))         // .apply, .send(.ack), .needBatch, .finish, ...
///     // on .needBatch(byteLimit:): a page of the feed of at most byteLimit bytes
///     perform(session.send(batch: page, isLast: done, at: now))   // [.sendFrame(...)]
///
///     var server = SyncSession.awaitingHello()           // reads nothing before a HELLO:
///     server.receive(hello, at: now)                     // [.needLocal(peer:)]
///     perform(server.provide(local: state, at: now))     // [.send(.hello), .startSending, ...]
public struct SyncSession: Sendable {
    public enum Role: Sendable { case client, server }

    /// What this side says about itself in its HELLO.
    public struct Local: Hashable, Sendable {
        public var storeID: StoreID
        public var replicaID: ReplicaID
        public var name: String
        public var clock: VersionVector
        public var digest: [UInt8]
        /// HELLO capabilities (SPEC §10): a server names `pull-only` to a read-only device.
        public var capabilities: [String]
        /// One per clock entry, in the clock's order (SPEC §11.4.1).
        public var heads: [SignedHead]
        /// How this replica's earlier keys handed over to its present one (SPEC §11.4.1).
        public var successions: [Succession]
        /// Proofs of forked histories this replica holds (SPEC §6.7).
        public var forks: [ForkEvidence]

        public init(
            storeID: StoreID, replicaID: ReplicaID, name: String, clock: VersionVector, digest: [UInt8], capabilities: [String] = [],
            heads: [SignedHead]? = nil, successions: [Succession] = [], forks: [ForkEvidence] = []
        ) {
            self.storeID = storeID
            self.replicaID = replicaID
            self.name = name
            self.clock = clock
            self.digest = digest
            self.capabilities = capabilities
            self.heads = heads ?? clock.sortedEntries.map { _ in .unsigned }
            self.successions = successions
            self.forks = forks
        }
    }

    public enum Action: Hashable, Sendable {
        /// A server made with `awaitingHello()` received a well-formed HELLO: decide whether this
        /// peer may sync (its device, its history), then answer with `provide(local:at:)`, or
        /// with `fail`. Nothing of the store is needed before this.
        case needLocal(peer: SyncMessage.Hello)
        case send(SyncMessage)
        /// Write this frame: `message` encoded once, by the session, which sized it (a CHANGES).
        case sendFrame(SyncMessage, [UInt8])
        /// A cloning client learned the server's store id: create the local store now, with this
        /// id (and the replica id the HELLO announced), before anything is applied.
        case joinStore(StoreID)
        /// The handshake succeeded: open a feed of the changes `peer.clock` lacks, in causal
        /// order, sending quotes by position if `quotesByPosition`. A `.needBatch` follows.
        case startSending(peer: SyncMessage.Hello)
        /// The peer can take the next batch: answer with `send(batch:isLast:at:)`, passing the
        /// feed's next page of at most `byteLimit` encoded bytes before compression (one larger
        /// change goes alone), or an empty last batch when nothing is left. One batch is in flight
        /// at a time, so an interruption re-sends at most that one; the next `.needBatch` comes
        /// with its ACK.
        case needBatch(byteLimit: Int)
        /// Apply these changes durably, all or none (rebuilding quotes sent by position if
        /// `quotesByPosition`), then call `applied(batch:newChanges:)` (or `applyFailed`).
        case apply(batch: UInt64, SignedBatch)
        /// Both directions are done: call `summarize(clock:digest:)` with the state now held.
        case summarize
        case finish(Outcome)
        case fail(ProtocolError, peerSaidIt: Bool)
    }

    /// How a completed session ended.
    public struct Outcome: Hashable, Sendable {
        public var peer: SyncMessage.Hello
        public var sentChanges: Int
        public var receivedChanges: Int
        public var localClock: VersionVector
        public var localDigest: [UInt8]
        public var peerClock: VersionVector
        public var peerDigest: [UInt8]

        /// Both hold the same changes yet their states differ: a bug, never ignored.
        public var diverged: Bool { localClock == peerClock && localDigest != peerDigest }
    }

    enum Phase: Hashable, Sendable {
        case idle, awaitingHello, awaitingLocal, syncing, summarizing, done
    }

    public let role: Role
    public private(set) var local: Local
    /// The protocol version both sides speak, once the handshake agreed on one.
    public private(set) var version: UInt64?
    public private(set) var peer: SyncMessage.Hello?
    var phase = Phase.idle
    var batchesSent: UInt64 = 0
    var batchesAcknowledged: UInt64 = 0
    var batchesReceived: UInt64 = 0
    var sentEnd = false
    var peerEnded = false
    var summarySent: (clock: VersionVector, digest: [UInt8])?
    var peerSummary: (clock: VersionVector, digest: [UInt8])?
    public private(set) var sentChanges = 0
    public private(set) var receivedChanges = 0
    /// Sized from each batch's round trip; the driver reads `batchByteLimit`.
    public private(set) var budget = BatchBudget()

    /// Starts from what an earlier session on the same link learned (its `budget` and
    /// `compressionRatio`), so that a reconnect after a cut does not start again from 4 KiB.
    public mutating func resume(budget bytes: Int, compressionRatio ratio: Double) {
        budget = BatchBudget(bytes: bytes)
        compressionRatio = min(8, max(1, ratio))
    }
    /// The batch in flight: its frame's size, its changes and when it was sent.
    var inFlight: (bytes: Int, changes: [Dot], sentAt: Duration)?
    /// The changes of a batch sent and not acknowledged. If the session is cut, the peer may
    /// still have committed them: the next session's HELLO tells.
    public var unacknowledgedChanges: [Dot] { inFlight?.changes ?? [] }
    /// Changes in the batches the peer acknowledged.
    public private(set) var acknowledgedChanges = 0
    /// Per author, the highest seq of an acknowledged change (`DeliveryLedger.Session`).
    public private(set) var acknowledgedThrough = VersionVector()
    /// When a client sent its HELLO: the server's HELLO measures the link's round trip.
    var helloSentAt: Duration?
    /// Bytes of CHANGES frames sent, and of those whose batch the peer acknowledged.
    public private(set) var batchBytesSent = 0
    public private(set) var batchBytesAcknowledged = 0

    /// A server that has not decided yet whether to say anything about its store: the first
    /// HELLO is answered with `.needLocal`, and anything else with ERROR, before the store is
    /// read at all.
    var localPending = false
    var pendingHello: SyncMessage.Hello?

    /// A client that is cloning passes `SyncMessage.anyStore` as its store id.
    public init(role: Role, local: Local) {
        self.role = role
        self.local = local
    }

    /// A server session that learns its own HELLO only once the peer's has arrived
    /// (`.needLocal`), so a stranger's garbage costs no store work.
    public static func awaitingHello() -> SyncSession {
        var session = SyncSession(role: .server, local: .nobody)
        session.localPending = true
        return session
    }

    /// What the server says in its HELLO, for the peer `.needLocal` named: the handshake goes on.
    public mutating func provide(local: Local, at now: Duration = .zero) -> [Action] {
        guard phase == .awaitingLocal, let hello = pendingHello else { return [] }
        self.local = local
        localPending = false
        pendingHello = nil
        phase = .awaitingHello
        return handshake(with: hello)
    }

    public var isFinished: Bool { phase == .done }

    /// True when a deflated CHANGES (type 7) may be decoded now: this side named `deflate` and
    /// the session is exchanging changes. A driver checks this before it inflates anything, so a
    /// stranger cannot make it inflate before a HELLO.
    public var acceptsDeflatedChanges: Bool {
        phase == .syncing && local.capabilities.contains(SyncProtocol.deflateCapability)
    }

    /// True when the peer's HELLO named `ping`: a busy driver may send it PING (SPEC §11.4).
    /// (A server knows it from the peer's HELLO before it has sent its own.)
    public var peerTakesPing: Bool { (peer ?? pendingHello)?.capabilities.contains(SyncProtocol.pingCapability) == true }

    /// True when both HELLOs announced `deflate`: CHANGES go compressed (SPEC §11.4).
    public var compressesChanges: Bool {
        let deflate = SyncProtocol.deflateCapability
        return local.capabilities.contains(deflate) && peer?.capabilities.contains(deflate) == true
    }

    /// True when both HELLOs announced `quotes-by-position`: each side sends the anchors its
    /// articles rebuild by position, and rebuilds those it receives (SPEC §11.4.2b).
    public var quotesByPosition: Bool {
        let capability = SyncProtocol.quotesByPositionCapability
        return local.capabilities.contains(capability) && peer?.capabilities.contains(capability) == true
    }

    /// About how many bytes of changes the next batch should hold, before compression (a single
    /// larger change goes alone): what crosses this link in `BatchBudget.target`, times how much
    /// the last batch shrank when deflated, so that compressed batches still fill the budget.
    public var batchByteLimit: Int {
        min(Self.largestPage, Int((Double(budget.bytes) * compressionRatio).rounded(.down)))
    }

    /// The most a page may hold before compression: far below a frame's 16 MiB, whatever the
    /// ratio.
    static let largestPage = 4 * SyncProtocol.batchByteLimit

    /// Plain frame bytes over sent frame bytes, of the last batch: 1 without compression, and
    /// at most 8, so that one batch of incompressible changes after many compressible ones
    /// overshoots its budget at most that much.
    public private(set) var compressionRatio = 1.0

    /// True while the peer can take another batch: sending has started, the last batch was
    /// acknowledged, and END has not been sent.
    var wantsBatch: Bool {
        phase == .syncing && !sentEnd && batchesSent == batchesAcknowledged
    }

    /// The client speaks first; the server waits for the client's HELLO. `now` is the session's
    /// monotonic time (see `receive(_:at:)`).
    public mutating func begin(at now: Duration = .zero) -> [Action] {
        guard phase == .idle else { return [] }
        phase = .awaitingHello
        guard role == .client else { return [] }
        helloSentAt = now
        return [.send(.hello(hello))]
    }

    var hello: SyncMessage.Hello {
        SyncMessage.Hello(
            storeID: local.storeID, replicaID: local.replicaID, name: local.name, clock: local.clock, digest: local.digest,
            capabilities: local.capabilities, heads: local.heads, successions: local.successions, forks: local.forks)
    }

    /// `now` is a monotonic time (any origin, the same for every call of one session): the
    /// round trip of each batch, from `send(batch:isLast:at:)` to its ACK, sizes the next.
    public mutating func receive(_ message: SyncMessage, at now: Duration = .zero) -> [Action] {
        if case .error(let code, let text) = message {
            phase = .done
            return [.fail(ProtocolError(code, text, at: 0), peerSaidIt: true)]
        }
        // PING only says the peer is busy and there; it may come at any time after the peer
        // has read this side's HELLO (so a client may get one before the server's HELLO).
        if message == .ping, phase != .done, role == .client || (phase != .awaitingHello && phase != .awaitingLocal) {
            return []
        }
        switch (phase, message) {
        case (.awaitingHello, .hello(let hello)) where localPending:
            phase = .awaitingLocal
            pendingHello = hello
            return [.needLocal(peer: hello)]
        case (.awaitingHello, .hello(let hello)):
            if let helloSentAt, now >= helloSentAt { budget.measuredRoundTrip(now - helloSentAt) }
            return handshake(with: hello)
        case (.syncing, .changes(let batch, let changes)) where !peerEnded:
            guard batch == batchesReceived + 1 else {
                return fail(.unexpectedMessage, "expected batch \(batchesReceived + 1), found batch \(batch)")
            }
            batchesReceived = batch
            return [.apply(batch: batch, changes)]
        case (.syncing, .ack(let batch)):
            guard batch == batchesAcknowledged + 1, batch <= batchesSent else {
                return fail(.unexpectedMessage, "expected an ACK of batch \(batchesAcknowledged + 1), found one of batch \(batch)")
            }
            batchesAcknowledged = batch
            if let inFlight {
                budget.acknowledged(frameBytes: inFlight.bytes, after: now - inFlight.sentAt)
                batchBytesAcknowledged += inFlight.bytes
                acknowledgedChanges += inFlight.changes.count
                for dot in inFlight.changes where dot.seq > acknowledgedThrough[dot.replica] {
                    acknowledgedThrough[dot.replica] = dot.seq
                }
                self.inFlight = nil
            }
            return sentEnd ? checkBothDone() : [.needBatch(byteLimit: batchByteLimit)]
        case (.syncing, .end) where !peerEnded:
            peerEnded = true
            return checkBothDone()
        case (.summarizing, .summary(let clock, let digest)) where peerSummary == nil:
            peerSummary = (clock, digest)
            return finishIfSummarized()
        default:
            let when = phase == .awaitingHello ? "before HELLO" : phase == .awaitingLocal ? "before this side's HELLO" : "now"
            return fail(.unexpectedMessage, "did not expect \(message.kind) \(when)")
        }
    }

    private mutating func handshake(with hello: SyncMessage.Hello) -> [Action] {
        let ours = SyncProtocol.versions
        let lowest = max(ours.lowerBound, hello.versions.lowerBound)
        let highest = min(ours.upperBound, hello.versions.upperBound)
        guard lowest <= highest else {
            return fail(
                .unsupportedVersion,
                "no common protocol version: this side speaks \(ours.lowerBound)–\(ours.upperBound), the peer \(hello.versions.lowerBound)–\(hello.versions.upperBound)"
            )
        }
        if hello.maximumFrameSize < UInt64(SyncProtocol.maximumFrameSize) {
            return fail(
                .frameTooLarge,
                "the peer accepts frames of at most \(hello.maximumFrameSize) bytes, below the smallest allowed, \(SyncProtocol.maximumFrameSize)"
            )
        }
        if hello.replicaID == local.replicaID {
            return fail(.unexpectedMessage, "the peer claims to be this replica (\(hello.replicaID.hex))")
        }
        if role == .server && hello.storeID != local.storeID && hello.storeID != SyncMessage.anyStore {
            return fail(.storeMismatch, "this is store \(local.storeID.hex); the peer belongs to store \(hello.storeID.hex)")
        }
        var actions: [Action] = []
        if role == .client {
            if hello.storeID == SyncMessage.anyStore {
                return fail(.storeMismatch, "the server names no store (the all-zero id); there is nothing to join")
            } else if local.storeID == SyncMessage.anyStore {
                local.storeID = hello.storeID
                actions.append(.joinStore(hello.storeID))
            } else if hello.storeID != local.storeID {
                return fail(.storeMismatch, "this is store \(local.storeID.hex); the server has store \(hello.storeID.hex)")
            }
        }
        peer = hello
        version = highest
        if role == .server { actions.append(.send(.hello(self.hello))) }
        if hello.clock == local.clock {
            // Already in sync: one round trip, and the HELLO digests are the summary.
            phase = .done
            actions.append(
                .finish(outcome(localClock: local.clock, localDigest: local.digest, peerClock: hello.clock, peerDigest: hello.digest)))
            return actions
        }
        phase = .syncing
        actions += [.startSending(peer: hello), .needBatch(byteLimit: batchByteLimit)]
        return actions
    }

    /// Sends one batch of the changes the peer lacks, the answer to `.needBatch`, and END after
    /// the last (an empty last batch sends only END). A batch whose frame is above what the peer
    /// accepts fails the session instead: its runs are signed where they end, so it cannot be cut.
    public mutating func send(batch changes: SignedBatch, isLast: Bool, at now: Duration = .zero) -> [Action] {
        guard wantsBatch else { return [] }
        // Nothing to send yet more to come: ask again rather than send an empty CHANGES.
        if changes.changes.isEmpty, !isLast { return [.needBatch(byteLimit: batchByteLimit)] }
        var actions: [Action] = []
        if !changes.changes.isEmpty {
            let message = SyncMessage.changes(batch: batchesSent + 1, changes)
            let plain = message.framed()
            // The plain frame must fit, deflated or not: a peer may forward these changes to one
            // that does not read deflated frames.
            guard plain.count - 4 <= SyncProtocol.largestChangesFrame else {
                let what = changes.changes.count == 1 ? "change \(changes.changes[0].id)" : "a batch of \(changes.changes.count) changes"
                return fail(
                    .internalError,
                    "\(what) is \(plain.count) bytes, more than the peer accepts in one frame (\(SyncProtocol.largestChangesFrame)); it cannot be synced"
                )
            }
            let frame = compressesChanges ? message.framedDeflated(plain: plain) : plain
            compressionRatio = min(8, max(1, Double(plain.count) / Double(frame.count)))
            batchesSent += 1
            sentChanges += changes.changes.count
            batchBytesSent += frame.count
            inFlight = (frame.count, changes.changes.map(\.id), now)
            actions.append(.sendFrame(message, frame))
        }
        if isLast {
            sentEnd = true
            actions.append(.send(.end))
        }
        return actions + checkBothDone()
    }

    /// The driver applied batch `batch`; `newChanges` of its changes were new here.
    public mutating func applied(batch: UInt64, newChanges: Int) -> [Action] {
        guard phase == .syncing else { return [] }
        receivedChanges += newChanges
        return [.send(.ack(batch: batch))]
    }

    /// The driver could not apply a batch: tell the peer why and stop.
    public mutating func applyFailed(_ error: ProtocolError) -> [Action] {
        fail(error.code, error.message)
    }

    /// The driver's clock and digest after both directions finished.
    public mutating func summarize(clock: VersionVector, digest: [UInt8]) -> [Action] {
        guard phase == .summarizing, summarySent == nil else { return [] }
        summarySent = (clock, digest)
        return [.send(.summary(clock: clock, digest: digest))] + finishIfSummarized()
    }

    /// Fails the session locally (a timeout, a decode error): the peer is told if it can be.
    public mutating func fail(_ code: ProtocolError.Code, _ message: String) -> [Action] {
        phase = .done
        let error = ProtocolError(code, message, at: 0)
        return [.send(.error(code: code, message: message)), .fail(error, peerSaidIt: false)]
    }

    private mutating func checkBothDone() -> [Action] {
        guard phase == .syncing, sentEnd, peerEnded, batchesAcknowledged == batchesSent else { return [] }
        phase = .summarizing
        return [.summarize]
    }

    private mutating func finishIfSummarized() -> [Action] {
        guard let mine = summarySent, let theirs = peerSummary else { return [] }
        phase = .done
        return [.finish(outcome(localClock: mine.clock, localDigest: mine.digest, peerClock: theirs.clock, peerDigest: theirs.digest))]
    }

    private func outcome(localClock: VersionVector, localDigest: [UInt8], peerClock: VersionVector, peerDigest: [UInt8]) -> Outcome {
        Outcome(
            peer: peer!, sentChanges: sentChanges, receivedChanges: receivedChanges, localClock: localClock,
            localDigest: localDigest, peerClock: peerClock, peerDigest: peerDigest)
    }
}

extension SyncSession.Local {
    /// Placeholder for a server that has not read its store yet: never sent to anyone.
    static let nobody = SyncSession.Local(
        storeID: SyncMessage.anyStore, replicaID: SyncMessage.anyStore, name: "", clock: VersionVector(),
        digest: [UInt8](repeating: 0, count: 32))
}
