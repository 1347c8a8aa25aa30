import GlossCore
import GlossProtocol

/// Replicas and the sessions between them, wired together in memory with no sockets.
///
/// Each link is one TCP connection: two `SyncSession`s (client and server) whose sent messages
/// wait in an outbox until `deliver` hands them, in order, to the other side. Every message is
/// framed and read back through `SyncFrameDecoder`, as on the wire. Each side carries out its
/// session's actions as `GlossNetwork`'s driver does: batches from a lazy feed over the
/// replica's log in arrival order, each received batch applied all or none before its ACK.
/// Cutting a link abandons both sessions, as a dropped connection does; what a replica applied
/// stays applied.
///
///     var world = SyncWorld(replicas: [a, b])
///     let link = world.connect(client: 0, server: 1)
///     world.run(link)
///     world.links[link].sides[0].outcome   // the client's
struct SyncWorld {
    struct Side {
        let replica: Int
        var session: SyncSession
        /// Sent, not yet delivered, with the world's send counter for delivery order, and the
        /// frame as the session encoded it.
        var outbox: [(order: Int, message: SyncMessage, frame: [UInt8])] = []
        /// Everything this side sent, in order, and its bytes from the magic on.
        var sent: [SyncMessage] = []
        var bytesSent: [UInt8] = SyncProtocol.magic
        var inbound = FrameFeeder()
        var received: [SyncMessage] = []
        /// Sent and received messages interleaved as they happened.
        var events: [(sent: Bool, message: SyncMessage)] = []
        var actions: [SyncSession.Action] = []
        var outcome: SyncSession.Outcome?
        var failure: (error: ProtocolError, peerSaidIt: Bool)?
        /// The feed: the peer's clock from its HELLO and the next arrival position to look at.
        var feedClock: VersionVector?
        var feedPosition = 0
        var appliedBatches: [UInt64] = []

        var isFinished: Bool { session.isFinished }
    }

    struct Link {
        /// `[client, server]`.
        var sides: [Side]
        var isOpen = true
    }

    var replicas: [SyncTestReplica]
    var links: [Link] = []
    /// Every message sent on any link, in the order sent.
    private(set) var sendLog: [(link: Int, side: Int, message: SyncMessage)] = []
    /// The most changes a feed puts in one batch.
    var batchChangeLimit = SyncProtocol.batchChangeLimit
    private var sendCounter = 0
    /// A simulated link, when set: each delivered frame takes its bytes at this rate plus the
    /// one-way delay, on `clock`, and each feed page is cut at the session's byte budget (as
    /// the driver's is) instead of at `batchChangeLimit` alone.
    var link: (bytesPerSecond: Double, delay: Duration)?
    /// The world's time, which sessions see in `begin`, `send` and `receive`.
    private(set) var clock: Duration = .zero

    init(replicas: [SyncTestReplica], batchChangeLimit: Int = SyncProtocol.batchChangeLimit) {
        self.replicas = replicas
        self.batchChangeLimit = batchChangeLimit
    }

    /// Opens a connection: both sides send the magic, the client its HELLO.
    @discardableResult
    mutating func connect(client: Int, server: Int) -> Int {
        let sides = [
            Side(replica: client, session: SyncSession(role: .client, local: replicas[client].local)),
            // A server reads its state only once a HELLO has come, as the driver's does.
            Side(replica: server, session: SyncSession.awaitingHello()),
        ]
        links.append(Link(sides: sides))
        let link = links.count - 1
        for side in 0..<2 {
            try! links[link].sides[side].inbound.feed(SyncProtocol.magic)
            perform(links[link].sides[side].session.begin(at: clock), link: link, side: side)
        }
        return link
    }

    /// Something waits in either outbox of an open link.
    func hasPending(_ link: Int) -> Bool {
        links[link].isOpen && links[link].sides.contains { !$0.outbox.isEmpty }
    }

    /// Delivers the oldest undelivered message of `side` to the other side. A side whose session
    /// has ended reads no more: what is still sent to it is dropped with the connection.
    mutating func deliver(_ link: Int, from side: Int) {
        guard links[link].isOpen, !links[link].sides[side].outbox.isEmpty else { return }
        let (_, message, frame) = links[link].sides[side].outbox.removeFirst()
        let peer = 1 - side
        let before = links[link].sides[peer].received.count
        if let link = self.link {
            clock += link.delay + .seconds(Double(frame.count) / link.bytesPerSecond)
        }
        receive(frame, link: link, side: peer)
        if links[link].sides[peer].received.count > before {
            precondition(links[link].sides[peer].received.last == message, "the frame round trip changed \(message.kind)")
        }
    }

    /// Hands bytes to one side as if its peer had sent them, through that side's frame decoder:
    /// each frame they complete is decoded and received. A decoding error fails the session, as
    /// the driver does; a side whose session has ended reads nothing more.
    mutating func receive(_ bytes: [UInt8], link: Int, side: Int) {
        guard !links[link].sides[side].isFinished else { return }
        var feeder = links[link].sides[side].inbound
        let before = feeder.frames.count
        do {
            try feeder.feed(bytes)
        } catch {
            links[link].sides[side].inbound = feeder
            let error = error as? ProtocolError ?? ProtocolError(.internalError, "\(error)", at: 0)
            perform(links[link].sides[side].session.fail(error.code, error.message), link: link, side: side)
            return
        }
        links[link].sides[side].inbound = feeder
        for frame in feeder.frames.dropFirst(before) where !links[link].sides[side].isFinished {
            let message: SyncMessage
            do {
                message = try frame.message()
            } catch {
                perform(links[link].sides[side].session.fail(error.code, error.message), link: link, side: side)
                return
            }
            links[link].sides[side].received.append(message)
            links[link].sides[side].events.append((false, message))
            perform(links[link].sides[side].session.receive(message, at: clock), link: link, side: side)
        }
    }

    /// Delivers the message sent first, whichever side sent it.
    mutating func deliverOldest(_ link: Int) {
        let sides = links[link].sides
        let candidates = (0..<2).filter { !sides[$0].outbox.isEmpty }
        guard let side = candidates.min(by: { sides[$0].outbox[0].order < sides[$1].outbox[0].order }) else { return }
        deliver(link, from: side)
    }

    /// Delivers messages in the order they were sent until nothing is left in flight.
    mutating func run(_ link: Int) {
        while hasPending(link) { deliverOldest(link) }
    }

    /// Delivers messages picking the side at random (each direction stays in order, as TCP's does).
    mutating func run(_ link: Int, using random: inout SeededGenerator) {
        while hasPending(link) {
            let sides = (0..<2).filter { !links[link].sides[$0].outbox.isEmpty }
            deliver(link, from: sides.randomElement(using: &random)!)
        }
    }

    /// Drops the connection: both sessions are abandoned, whatever is in flight is lost.
    mutating func cut(_ link: Int) {
        links[link].isOpen = false
        for side in 0..<2 { links[link].sides[side].outbox.removeAll() }
    }

    /// Connects, runs to the end in send order, and returns the link.
    @discardableResult
    mutating func sync(client: Int, server: Int) -> Int {
        let link = connect(client: client, server: server)
        run(link)
        return link
    }

    // MARK: The driver

    mutating func perform(_ actions: [SyncSession.Action], link: Int, side: Int) {
        let replica = links[link].sides[side].replica
        for action in actions {
            links[link].sides[side].actions.append(action)
            switch action {
            case .needLocal:
                perform(links[link].sides[side].session.provide(local: replicas[replica].local, at: clock), link: link, side: side)
            case .send(let message), .sendFrame(let message, _):
                sendCounter += 1
                let frame: [UInt8]
                if case .sendFrame(_, let encoded) = action { frame = encoded } else { frame = message.framed() }
                links[link].sides[side].outbox.append((sendCounter, message, frame))
                links[link].sides[side].sent.append(message)
                links[link].sides[side].events.append((true, message))
                links[link].sides[side].bytesSent += message.framed()
                sendLog.append((link, side, message))
            case .joinStore(let store):
                replicas[replica].storeID = store
            case .startSending(let peer):
                links[link].sides[side].feedClock = peer.clock
                links[link].sides[side].feedPosition = 0
            case .needBatch(let byteLimit):
                let (changes, isLast) = nextPage(link: link, side: side, byteLimit: byteLimit)
                let batch = replicas[links[link].sides[side].replica].signed(changes)
                perform(links[link].sides[side].session.send(batch: batch, isLast: isLast, at: clock), link: link, side: side)
            case .apply(let batch, let changes):
                do {
                    let new = try replicas[replica].apply(signed: changes)
                    links[link].sides[side].appliedBatches.append(batch)
                    perform(links[link].sides[side].session.applied(batch: batch, newChanges: new), link: link, side: side)
                } catch {
                    perform(links[link].sides[side].session.applyFailed(error), link: link, side: side)
                }
            case .summarize:
                let (clock, digest) = (replicas[replica].clock, replicas[replica].digest)
                perform(links[link].sides[side].session.summarize(clock: clock, digest: digest), link: link, side: side)
            case .finish(let outcome):
                links[link].sides[side].outcome = outcome
            case .fail(let error, let peerSaidIt):
                links[link].sides[side].failure = (error, peerSaidIt)
            }
        }
    }

    /// The next page of the feed: up to `batchChangeLimit` changes the peer lacks, in arrival
    /// order from where the last page ended, and whether none are left after them.
    private mutating func nextPage(link: Int, side: Int, byteLimit: Int) -> (changes: [Change], isLast: Bool) {
        guard let clock = links[link].sides[side].feedClock else { return ([], true) }
        let lacking = replicas[links[link].sides[side].replica].lacking(clock, from: links[link].sides[side].feedPosition)
        var page = lacking.prefix(batchChangeLimit)
        if self.link != nil {
            // As the store's feed: changes while their encoded size fits the budget, at least one.
            let budget = byteLimit
            var bytes = 0
            let fitting = page.prefix { entry in
                bytes += SyncMessage.changes(batch: 1, SignedBatch(changes: [entry.change], runs: [])).framed().count
                return bytes <= budget
            }.count
            page = page.prefix(max(1, fitting))
        }
        guard let last = page.last else { return ([], true) }
        links[link].sides[side].feedPosition = last.position + 1
        return (page.map(\.change), page.count == lacking.count)
    }
}

extension SyncWorld.Side {
    /// The batch numbers of the CHANGES this side sent, and of the ACKs it received.
    var batchesSent: [UInt64] { sent.compactMap { if case .changes(let batch, _) = $0 { batch } else { nil } } }
    var acksReceived: [UInt64] { received.compactMap { if case .ack(let batch) = $0 { batch } else { nil } } }
    var acksSent: [UInt64] { sent.compactMap { if case .ack(let batch) = $0 { batch } else { nil } } }
    var kindsSent: [SyncMessage.Kind] { sent.map(\.kind) }
}
