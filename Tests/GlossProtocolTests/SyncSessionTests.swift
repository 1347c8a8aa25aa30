import GlossCore
import GlossProtocol
import Testing

/// The sync session's state machine (SPEC §11.5–§11.9), driven with no sockets: two sessions
/// wired to each other through `SyncWorld`, or one session fed messages by hand.
@Suite("Sync session")
struct SyncSessionTests {
    typealias F = SyncFixtures

    /// Two replicas of one store: `shared` changes both hold, then `onlyA` and `onlyB` changes
    /// each wrote alone, concurrently.
    static func pair(seed: UInt64, shared: Int, onlyA: Int, onlyB: Int) throws -> [SyncTestReplica] {
        var random = SeededGenerator(seed: seed)
        var a = SyncTestReplica(number: 1, name: "alice")
        var b = SyncTestReplica(number: 2, name: "bob")
        try edit(&a, shared, &random)
        try b.receive(a.log)
        try edit(&a, onlyA, &random)
        try edit(&b, onlyB, &random)
        return [a, b]
    }

    static func edit(_ replica: inout SyncTestReplica, _ count: Int, _ random: inout SeededGenerator) throws {
        let target = replica.log.count + count
        var attempts = 0
        while replica.log.count < target {
            attempts += 1
            precondition(attempts < 100 * (count + 1), "no edit possible")
            try replica.editRandomly(using: &random)
        }
    }

    /// A session that has exchanged HELLOs and is syncing, for feeding messages by hand.
    static func syncing(role: SyncSession.Role = .server) -> SyncSession {
        var session = SyncSession(
            role: role,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "alice", clock: [F.alice: 1], digest: F.digestA))
        _ = session.begin()
        let actions = session.receive(.hello(F.hello(replica: F.bob, name: "bob", clock: [F.bob: 1], digest: F.digestB)))
        precondition(actions.contains(.startSending(peer: F.hello(replica: F.bob, name: "bob", clock: [F.bob: 1], digest: F.digestB))))
        return session
    }

    func expectUnexpected(_ actions: [SyncSession.Action], _ session: SyncSession, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actions.count == 2, "\(actions)", sourceLocation: sourceLocation)
        guard actions.count == 2, case .send(.error(let code, let text)) = actions[0],
            case .fail(let error, let peerSaidIt) = actions[1]
        else {
            Issue.record("expected ERROR then fail, found \(actions)", sourceLocation: sourceLocation)
            return
        }
        #expect(code == .unexpectedMessage, sourceLocation: sourceLocation)
        #expect(error.code == .unexpectedMessage && !peerSaidIt, sourceLocation: sourceLocation)
        #expect(error.message == text, sourceLocation: sourceLocation)
        #expect(session.isFinished, sourceLocation: sourceLocation)
    }

    // MARK: Whole sessions

    @Test("in sync: one round trip, exactly one HELLO each way, then both finish comparing the HELLO digests")
    func inSyncFastPath() throws {
        var world = SyncWorld(replicas: try Self.pair(seed: 1, shared: 12, onlyA: 0, onlyB: 0))
        let link = world.sync(client: 0, server: 1)
        let (client, server) = (world.links[link].sides[0], world.links[link].sides[1])
        #expect(client.kindsSent == [.hello])
        #expect(server.kindsSent == [.hello])
        #expect(client.actions.contains { if case .startSending = $0 { true } else { false } } == false)
        let outcomes = try [#require(client.outcome), #require(server.outcome)]
        for outcome in outcomes {
            #expect(!outcome.diverged)
            #expect(outcome.sentChanges == 0 && outcome.receivedChanges == 0)
            #expect(outcome.localDigest == outcome.peerDigest)
        }
        #expect(outcomes[0].peer.replicaID == world.replicas[1].id)
        #expect(outcomes[1].peer.replicaID == world.replicas[0].id)
        #expect(outcomes[1].peer.name == "alice")
    }

    @Test("the server answers a HELLO with its own, and the client's HELLO goes first", arguments: [false, true])
    func hellos(emptyStores: Bool) throws {
        var world = SyncWorld(replicas: try Self.pair(seed: 2, shared: emptyStores ? 0 : 3, onlyA: 0, onlyB: emptyStores ? 0 : 2))
        let link = world.connect(client: 0, server: 1)
        #expect(world.links[link].sides[0].kindsSent == [.hello])
        #expect(world.links[link].sides[1].sent.isEmpty, "the server waits for the client")
        world.deliver(link, from: 0)
        let serverHello = try #require(world.links[link].sides[1].sent.first)
        let replica = world.replicas[1]
        #expect(
            serverHello
                == .hello(
                    SyncMessage.Hello(
                        storeID: replica.storeID, replicaID: replica.id, name: replica.name,
                        clock: replica.clock, digest: replica.digest)))
        guard case .hello(let hello) = serverHello else { return }
        #expect(hello.versions == 3...3)
        #expect(hello.maximumFrameSize == 16 * 1024 * 1024)
        #expect(hello.capabilities == [])
    }

    @Test("one-sided: the client sends what the server lacks; the server sends END at once")
    func oneSided() throws {
        var world = SyncWorld(replicas: try Self.pair(seed: 3, shared: 5, onlyA: 7, onlyB: 0))
        let link = world.sync(client: 0, server: 1)
        let (client, server) = (world.links[link].sides[0], world.links[link].sides[1])
        #expect(client.kindsSent == [.hello, .changes, .end, .summary])
        #expect(server.kindsSent == [.hello, .end, .ack, .summary])
        let (clientOutcome, serverOutcome) = (try #require(client.outcome), try #require(server.outcome))
        #expect(clientOutcome.sentChanges == 7 && clientOutcome.receivedChanges == 0)
        #expect(serverOutcome.sentChanges == 0 && serverOutcome.receivedChanges == 7)
        #expect(world.replicas[0].digest == world.replicas[1].digest)
        #expect(!clientOutcome.diverged && clientOutcome.localClock == clientOutcome.peerClock)
    }

    @Test(
        "two-sided, in bounded batches numbered from 1 in each direction, each acknowledged in order",
        arguments: [1, 2, 3, 1000])
    func twoSided(limit: Int) throws {
        var world = SyncWorld(replicas: try Self.pair(seed: 4, shared: 4, onlyA: 9, onlyB: 6), batchChangeLimit: limit)
        let link = world.sync(client: 0, server: 1)
        for (index, side) in world.links[link].sides.enumerated() {
            let sentCount = index == 0 ? 9 : 6
            let batches = (sentCount + limit - 1) / limit
            #expect(side.batchesSent == Array(1...UInt64(batches)), "side \(index)")
            #expect(side.acksReceived == side.batchesSent, "side \(index)")
            #expect(side.acksSent == world.links[link].sides[1 - index].batchesSent)
            for case .changes(_, let batch) in side.sent { #expect(batch.changes.count <= limit && !batch.changes.isEmpty) }
            #expect(side.kindsSent.filter { $0 == .end }.count == 1)
            #expect(side.kindsSent.last == .summary)
            #expect(side.kindsSent.first == .hello)
            let outcome = try #require(side.outcome, "side \(index): \(String(describing: side.failure))")
            #expect(outcome.sentChanges == sentCount)
            #expect(outcome.receivedChanges == 15 - sentCount)
            #expect(!outcome.diverged)
        }
        #expect(world.replicas[0].clock == world.replicas[1].clock)
        #expect(world.replicas[0].digest == world.replicas[1].digest)
    }

    @Test("one batch in flight: the next CHANGES never goes before the ACK of the last", arguments: Array(UInt64(1)...UInt64(10)))
    func oneBatchInFlight(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var world = SyncWorld(replicas: try Self.pair(seed: seed, shared: 3, onlyA: 8, onlyB: 8), batchChangeLimit: 2)
        let link = world.connect(client: 0, server: 1)
        world.run(link, using: &random)
        for side in 0..<2 {
            var inFlight = 0
            for event in world.links[link].sides[side].events {
                switch (event.sent, event.message) {
                case (true, .changes):
                    #expect(inFlight == 0, "seed \(seed): a second batch in flight")
                    inFlight += 1
                case (false, .ack): inFlight -= 1
                default: break
                }
            }
            #expect(world.links[link].sides[side].batchesSent.count == 4, "seed \(seed)")
            #expect(world.links[link].sides[side].outcome != nil, "seed \(seed)")
        }
    }

    @Test("a batch holds the changes in the order the sender received them (a causal order)")
    func batchesInArrivalOrder() throws {
        let replicas = try Self.pair(seed: 5, shared: 0, onlyA: 20, onlyB: 0)
        var world = SyncWorld(replicas: replicas, batchChangeLimit: 6)
        let link = world.sync(client: 0, server: 1)
        let sent = world.links[link].sides[0].sent.flatMap { message -> [Change] in
            if case .changes(_, let batch) = message { batch.changes } else { [] }
        }
        #expect(sent == replicas[0].log)
        #expect(world.replicas[1].log == replicas[0].log)
    }

    // MARK: SUMMARY and divergence

    @Test("SUMMARY carries each side's clock and digest after both ENDs; the outcome compares them")
    func summary() throws {
        var world = SyncWorld(replicas: try Self.pair(seed: 6, shared: 2, onlyA: 3, onlyB: 3))
        let link = world.sync(client: 0, server: 1)
        for side in 0..<2 {
            let replica = world.replicas[world.links[link].sides[side].replica]
            #expect(world.links[link].sides[side].sent.last == .summary(clock: replica.clock, digest: replica.digest))
            let outcome = try #require(world.links[link].sides[side].outcome)
            #expect(outcome.localClock == replica.clock && outcome.localDigest == replica.digest)
            #expect(outcome.peerClock == replica.clock)
        }
    }

    @Test("divergence in the fast path: equal clocks in the HELLOs, different digests, and both sides say so")
    func divergenceFastPath() throws {
        var replicas = try Self.pair(seed: 7, shared: 6, onlyA: 0, onlyB: 0)
        replicas[1].reportedDigestOverride = F.digestB
        var world = SyncWorld(replicas: replicas)
        let link = world.sync(client: 0, server: 1)
        for side in world.links[link].sides {
            #expect(side.kindsSent == [.hello])
            let outcome = try #require(side.outcome)
            #expect(outcome.diverged)
            #expect(outcome.localClock == outcome.peerClock)
        }
    }

    @Test("divergence after an exchange: SUMMARY clocks equal, digests different, and both sides say so")
    func divergenceAfterExchange() throws {
        var replicas = try Self.pair(seed: 8, shared: 2, onlyA: 2, onlyB: 2)
        replicas[0].reportedDigestOverride = F.digestA  // fakes a merge bug on the client
        var world = SyncWorld(replicas: replicas)
        let link = world.sync(client: 0, server: 1)
        for side in world.links[link].sides {
            #expect(side.kindsSent.last == .summary)
            let outcome = try #require(side.outcome)
            #expect(outcome.diverged)
        }
    }

    @Test("different clocks at SUMMARY (an edit during the session) are not divergence")
    func clocksMovedOn() throws {
        var world = SyncWorld(replicas: try Self.pair(seed: 9, shared: 2, onlyA: 2, onlyB: 2))
        let link = world.connect(client: 0, server: 1)
        world.deliverOldest(link)
        var random = SeededGenerator(seed: 9)
        try Self.edit(&world.replicas[1], 1, &random)  // the server edits mid-session
        world.run(link)
        let outcome = try #require(world.links[link].sides[0].outcome)
        #expect(outcome.localClock != outcome.peerClock)
        #expect(!outcome.diverged)
    }

    // MARK: Handshake refusals

    @Test("no common version: a server sent a HELLO speaking 2...3 answers ERROR unsupportedVersion naming both ranges, and fails")
    func versionMismatchAtServer() {
        var server = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.bob, name: "bob", clock: VersionVector(), digest: F.digestB))
        #expect(server.begin() == [])
        let actions = server.receive(.hello(F.hello(versions: 4...5)))
        guard actions.count == 2, case .send(.error(let code, let text)) = actions[0], case .fail(let error, false) = actions[1] else {
            Issue.record("expected ERROR then fail, found \(actions)")
            return
        }
        #expect(code == .unsupportedVersion && error.code == .unsupportedVersion)
        #expect(text.contains("3–3") && text.contains("4–5"), "\(text)")
        #expect(server.isFinished && server.peer == nil)
    }

    @Test("no common version: a client whose server answers 4...5 sends ERROR unsupportedVersion and fails")
    func versionMismatchAtClient() {
        var client = SyncSession(
            role: .client,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "alice", clock: VersionVector(), digest: F.digestA))
        guard case .send(.hello(let hello)) = client.begin().first else {
            Issue.record("no HELLO")
            return
        }
        #expect(hello.versions == 3...3)
        let actions = client.receive(.hello(F.hello(versions: 4...5, replica: F.bob)))
        guard case .send(.error(let code, _)) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(code == .unsupportedVersion)
        #expect(client.isFinished)
    }

    @Test("a peer speaking 1...5 is accepted: version 3 is common")
    func widerRange() {
        var server = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.bob, name: "bob", clock: VersionVector(), digest: F.digestB))
        _ = server.begin()
        let actions = server.receive(.hello(F.hello(versions: 1...5, clock: [F.alice: 1])))
        #expect(actions.contains { if case .startSending = $0 { true } else { false } })
        #expect(!server.isFinished)
    }

    @Test("a HELLO announcing a frame limit below 16 MiB is refused with frameTooLarge, before anything else")
    func smallFrameLimit() {
        var server = SyncSession(
            role: .server,
            local: SyncSession.Local(storeID: F.store, replicaID: F.bob, name: "bob", clock: VersionVector(), digest: F.digestB))
        _ = server.begin()
        var hello = F.hello(store: ID128(high: 7, low: 7), clock: [F.alice: 1])
        hello.maximumFrameSize = UInt64(SyncProtocol.maximumFrameSize - 1)
        let actions = server.receive(.hello(hello))
        #expect(actions.contains { if case .send(.error(.frameTooLarge, _)) = $0 { true } else { false } }, "\(actions)")
        #expect(server.isFinished && server.peer == nil)
    }

    @Test("store mismatch at the server: ERROR storeMismatch, no HELLO back")
    func storeMismatchAtServer() {
        var server = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.bob, name: "bob", clock: VersionVector(), digest: F.digestB))
        _ = server.begin()
        let actions = server.receive(.hello(F.hello(store: F.otherStore)))
        guard actions.count == 2, case .send(.error(let code, _)) = actions[0], case .fail(let error, false) = actions[1] else {
            Issue.record("expected ERROR then fail, found \(actions)")
            return
        }
        #expect(code == .storeMismatch && error.code == .storeMismatch)
    }

    @Test("store mismatch at the client: the server's HELLO names another store")
    func storeMismatchAtClient() {
        var world = SyncWorld(replicas: [SyncTestReplica(number: 1), SyncTestReplica(number: 2, storeID: F.otherStore)])
        // The server refuses first: the client never sees a HELLO.
        let link = world.sync(client: 0, server: 1)
        #expect(world.links[link].sides[1].kindsSent == [.error])
        #expect(world.links[link].sides[0].failure?.error.code == .storeMismatch)
        #expect(world.links[link].sides[0].failure?.peerSaidIt == true)
        // A client that gets the other store's HELLO refuses it itself.
        var client = SyncSession(role: .client, local: world.replicas[0].local)
        _ = client.begin()
        let actions = client.receive(.hello(F.hello(store: F.otherStore, replica: F.bob)))
        guard case .send(.error(let code, _)) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(code == .storeMismatch)
    }

    @Test("cloning: a client with the all-zero store id joins the server's store, then receives everything")
    func cloning() throws {
        var server = SyncTestReplica(number: 2, name: "bob")
        var random = SeededGenerator(seed: 10)
        try Self.edit(&server, 15, &random)
        let clone = SyncTestReplica(number: 9, storeID: SyncMessage.anyStore, name: "new laptop")
        var world = SyncWorld(replicas: [clone, server], batchChangeLimit: 4)
        let link = world.sync(client: 0, server: 1)
        let client = world.links[link].sides[0]
        let join = client.actions.firstIndex(of: .joinStore(F.store))
        let start = client.actions.firstIndex { if case .startSending = $0 { true } else { false } }
        #expect(join != nil && start != nil && join! < start!, "joins before anything is sent or applied")
        guard case .hello(let hello) = client.sent.first else {
            Issue.record("no HELLO")
            return
        }
        #expect(hello.storeID == SyncMessage.anyStore && hello.clock.isEmpty)
        #expect(world.replicas[0].storeID == F.store)
        #expect(world.replicas[0].digest == world.replicas[1].digest)
        #expect(try #require(client.outcome).receivedChanges == 15)
        #expect(client.batchesSent.isEmpty && client.kindsSent == [.hello, .end, .ack, .ack, .ack, .ack, .summary])
    }

    @Test("cloning an empty store: joinStore, then the fast path")
    func cloningEmpty() throws {
        var world = SyncWorld(replicas: [SyncTestReplica(number: 9, storeID: SyncMessage.anyStore), SyncTestReplica(number: 2)])
        let link = world.sync(client: 0, server: 1)
        #expect(world.links[link].sides[0].actions.first == .send(world.links[link].sides[0].sent[0]))
        #expect(world.links[link].sides[0].actions.contains(.joinStore(F.store)))
        #expect(world.links[link].sides[0].kindsSent == [.hello])
        #expect(world.links[link].sides[0].outcome != nil && world.links[link].sides[1].outcome != nil)
    }

    // MARK: Messages out of order

    @Test("CHANGES before HELLO: ERROR unexpectedMessage")
    func changesBeforeHello() {
        var server = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.bob, name: "bob", clock: VersionVector(), digest: F.digestB))
        _ = server.begin()
        let actions = server.receive(.changes(batch: 1, []))
        expectUnexpected(actions, server)
    }

    @Test(
        "anything but HELLO before HELLO: ERROR unexpectedMessage",
        arguments: [SyncMessage.ack(batch: 1), .end, .summary(clock: [:], digest: SyncFixtures.digestA)])
    func otherBeforeHello(message: SyncMessage) {
        var client = SyncSession(
            role: .client,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "alice", clock: VersionVector(), digest: F.digestA))
        _ = client.begin()
        expectUnexpected(client.receive(message), client)
    }

    @Test("a second HELLO: ERROR unexpectedMessage")
    func secondHello() {
        var session = Self.syncing()
        expectUnexpected(session.receive(.hello(F.hello(replica: F.bob))), session)
    }

    @Test("an ACK for a batch never sent: ERROR unexpectedMessage", arguments: [0, 1, 2] as [UInt64])
    func ackForUnsentBatch(batch: UInt64) {
        var session = Self.syncing()
        expectUnexpected(session.receive(.ack(batch: batch)), session)
    }

    @Test("an ACK that skips a batch, or repeats one: ERROR unexpectedMessage")
    func ackOutOfOrder() {
        let change = Change(
            id: Dot(replica: F.alice, seq: 1), dependencies: VersionVector(), time: 0,
            operations: [.keepAnnotation(id: RawBytes.article)])
        var session = Self.syncing()
        #expect(session.send(batch: [change], isLast: false) == [.framed(.changes(batch: 1, [change]))])
        #expect(session.receive(.ack(batch: 1)) == [.needBatch(byteLimit: session.batchByteLimit)])
        _ = session.send(batch: [change], isLast: false)
        var repeated = session
        expectUnexpected(repeated.receive(.ack(batch: 1)), repeated)
        expectUnexpected(session.receive(.ack(batch: 3)), session)
    }

    @Test("batch numbers that skip, repeat or start above 1: ERROR unexpectedMessage")
    func batchNumbers() {
        var session = Self.syncing()
        expectUnexpected(session.receive(.changes(batch: 2, [])), session)
        session = Self.syncing()
        expectUnexpected(session.receive(.changes(batch: 0, [])), session)
        session = Self.syncing()
        #expect(session.receive(.changes(batch: 1, [])) == [.apply(batch: 1, [])])
        var repeated = session
        expectUnexpected(repeated.receive(.changes(batch: 1, [])), repeated)
        expectUnexpected(session.receive(.changes(batch: 3, [])), session)
    }

    @Test("a second END: ERROR unexpectedMessage")
    func secondEnd() {
        var session = Self.syncing()
        #expect(session.receive(.end) == [])
        expectUnexpected(session.receive(.end), session)
    }

    @Test("CHANGES after the peer's END: ERROR unexpectedMessage")
    func changesAfterEnd() {
        var session = Self.syncing()
        _ = session.receive(.end)
        expectUnexpected(session.receive(.changes(batch: 1, [])), session)
    }

    @Test("SUMMARY too early (before both ENDs): ERROR unexpectedMessage")
    func summaryTooEarly() {
        var session = Self.syncing()
        expectUnexpected(session.receive(.summary(clock: [F.bob: 1], digest: F.digestB)), session)
        session = Self.syncing()
        _ = session.receive(.end)  // the peer is done, but this side has not sent END
        expectUnexpected(session.receive(.summary(clock: [F.bob: 1], digest: F.digestB)), session)
    }

    @Test("after both ENDs, only SUMMARY: a late ACK or CHANGES is ERROR unexpectedMessage")
    func onlySummaryWhenSummarizing() {
        for late in [SyncMessage.ack(batch: 1), .changes(batch: 1, []), .end] {
            var session = Self.syncing()
            #expect(session.send(batch: [], isLast: true) == [.send(.end)])
            #expect(session.receive(.end) == [.summarize])
            expectUnexpected(session.receive(late), session)
        }
    }

    @Test("SUMMARY exchange: this side's SUMMARY and the peer's, in either order, finish the session")
    func summaryEitherOrder() throws {
        for peerFirst in [false, true] {
            var session = Self.syncing()
            _ = session.send(batch: [], isLast: true)
            #expect(session.receive(.end) == [.summarize])
            var actions: [SyncSession.Action] = []
            if peerFirst { actions += session.receive(.summary(clock: [F.alice: 1, F.bob: 1], digest: F.digestA)) }
            actions += session.summarize(clock: [F.alice: 1, F.bob: 1], digest: F.digestA)
            if !peerFirst { actions += session.receive(.summary(clock: [F.alice: 1, F.bob: 1], digest: F.digestA)) }
            #expect(actions.first == .send(.summary(clock: [F.alice: 1, F.bob: 1], digest: F.digestA)))
            guard case .finish(let outcome) = actions.last else {
                Issue.record("\(actions)")
                return
            }
            #expect(!outcome.diverged)
            #expect(session.isFinished)
        }
    }

    @Test("an ERROR from the peer fails the session with peerSaidIt, and nothing is sent back", arguments: [false, true])
    func peerError(duringHandshake: Bool) {
        var session =
            duringHandshake
            ? SyncSession(
                role: .server,
                local: SyncSession.Local(
                    storeID: F.store, replicaID: F.bob, name: "bob", clock: VersionVector(), digest: F.digestB)) : Self.syncing()
        _ = session.begin()
        let actions = session.receive(.error(code: .busy, message: "try later"))
        #expect(actions == [.fail(ProtocolError(.busy, "try later", at: 0), peerSaidIt: true)])
        #expect(session.isFinished)
    }

    @Test("a batch the store refuses: ERROR with the store's code, and the peer fails with peerSaidIt")
    func applyRefused() throws {
        var replicas = try Self.pair(seed: 11, shared: 2, onlyA: 3, onlyB: 0)
        // The server claims to hold the client's first new change, so the client skips it
        // and the server cannot apply the second.
        let skipped = replicas[0].log[2]
        var fakeClock = replicas[1].clock
        fakeClock[skipped.id.replica] = skipped.id.seq
        var session = SyncSession(role: .client, local: replicas[0].local)
        var server = SyncSession(role: .server, local: replicas[1].local)
        _ = session.begin()
        _ = server.begin()
        _ = server.receive(.hello(replicas[0].local.hello))
        _ = session.receive(
            .hello(
                SyncMessage.Hello(
                    storeID: F.store, replicaID: replicas[1].id, name: "bob",
                    clock: fakeClock, digest: replicas[1].digest)))
        let batch = Array(replicas[0].log.dropFirst(3))
        guard case .sendFrame(let changes, _) = session.send(batch: SignedBatch(changes: batch, runs: []), isLast: true).first else {
            Issue.record("no batch")
            return
        }
        guard case .apply(let number, let received) = server.receive(changes).first else {
            Issue.record("no apply")
            return
        }
        let clockBefore = replicas[1].clock
        let error = #expect(throws: ProtocolError.self) { try replicas[1].apply(batch: received.changes) }
        #expect(error?.code == .missingPredecessors)
        let refusal = server.applyFailed(error!)
        #expect(
            refusal == [
                .send(.error(code: .missingPredecessors, message: error!.message)),
                .fail(ProtocolError(.missingPredecessors, error!.message, at: 0), peerSaidIt: false),
            ])
        #expect(number == 1 && replicas[1].clock == clockBefore, "nothing of the refused batch was applied")
        guard case .send(let message) = refusal.first else { return }
        #expect(session.receive(message) == [.fail(ProtocolError(.missingPredecessors, error!.message, at: 0), peerSaidIt: true)])
    }

    // MARK: Flow control

    @Test("needBatch: asked after the handshake and after each ACK, never with a batch in flight or after END")
    func needBatch() {
        let change = Change(
            id: Dot(replica: F.alice, seq: 1), dependencies: VersionVector(), time: 0,
            operations: [.keepAnnotation(id: RawBytes.article)])
        var session = SyncSession(
            role: .server,
            local: SyncSession.Local(
                storeID: F.store, replicaID: F.alice, name: "alice", clock: [F.alice: 1], digest: F.digestA))
        #expect(session.begin() == [])
        #expect(session.send(batch: [change], isLast: false) == [], "no batch before the handshake")
        let handshake = session.receive(.hello(F.hello(replica: F.bob, clock: [:])))
        let ask = SyncSession.Action.needBatch(byteLimit: BatchBudget.smallest)
        #expect(handshake.suffix(2).last == ask, "the handshake ends by asking for the first batch")
        #expect(session.send(batch: [], isLast: false) == [ask], "an empty page that is not the last: asked again")
        #expect(session.send(batch: [change], isLast: false) == [.framed(.changes(batch: 1, [change]))])
        #expect(session.send(batch: [change], isLast: false) == [], "a second batch waits for the ACK")
        #expect(session.send(batch: [], isLast: true) == [], "so does END")
        guard case .needBatch(let limit)? = session.receive(.ack(batch: 1)).first else {
            Issue.record("the ACK does not ask for the next batch")
            return
        }
        #expect(limit == session.batchByteLimit)
        #expect(session.send(batch: [change], isLast: true) == [.framed(.changes(batch: 2, [change])), .send(.end)])
        #expect(session.receive(.ack(batch: 2)) == [], "after END nothing more is asked")
    }

    @Test("an empty last page sends END alone; an empty batch is never sent")
    func emptyLastPage() {
        var session = Self.syncing()
        #expect(session.send(batch: [], isLast: true) == [.send(.end)])
    }
}

extension SyncSession.Local {
    /// The HELLO a session with this local state sends.
    var hello: SyncMessage.Hello {
        SyncMessage.Hello(storeID: storeID, replicaID: replicaID, name: name, clock: clock, digest: digest)
    }
}

/// A server that reads its store only once a well-formed HELLO has come (`awaitingHello`).
@Suite("Sync session: a server that waits for the HELLO before its own state")
struct SyncSessionAwaitingLocalTests {
    typealias F = SyncFixtures
    static let bobLocal = SyncSession.Local(storeID: F.store, replicaID: F.bob, name: "bob", clock: [F.bob: 1], digest: F.digestB)

    @Test func aHelloAsksForLocalStateAndNothingIsSentUntilItComes() {
        var server = SyncSession.awaitingHello()
        #expect(server.begin().isEmpty)
        let hello = F.hello(replica: F.alice, clock: [F.alice: 1])
        #expect(server.receive(.hello(hello)) == [.needLocal(peer: hello)])
        let actions = server.provide(local: Self.bobLocal)
        guard case .send(.hello(let answer))? = actions.first else {
            Issue.record("no HELLO: \(actions)")
            return
        }
        #expect(answer.replicaID == F.bob && answer.clock == [F.bob: 1])
        #expect(actions.contains(.startSending(peer: hello)))
    }

    @Test func anythingButAHelloIsRefusedWithoutLocalState() {
        var server = SyncSession.awaitingHello()
        _ = server.begin()
        let actions = server.receive(.end)
        guard case .send(.error(let code, let text))? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(code == .unexpectedMessage && text.contains("before HELLO"))
        #expect(!actions.contains { if case .needLocal = $0 { true } else { false } })
        #expect(server.isFinished)
    }

    @Test func aMessageBeforeTheLocalStateIsRefused() {
        var server = SyncSession.awaitingHello()
        _ = server.begin()
        _ = server.receive(.hello(F.hello(replica: F.alice, clock: [F.alice: 1])))
        let actions = server.receive(.end)
        guard case .send(.error(.unexpectedMessage, let text))? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(text.contains("before this side's HELLO"))
        #expect(server.provide(local: Self.bobLocal).isEmpty, "a failed session stays failed")
    }

    @Test func aStoreOfAnotherIDIsStillRefusedOnceLocalStateIsKnown() {
        var server = SyncSession.awaitingHello()
        _ = server.begin()
        _ = server.receive(.hello(F.hello(store: F.otherStore, replica: F.alice)))
        let actions = server.provide(local: Self.bobLocal)
        guard case .send(.error(.storeMismatch, _))? = actions.first else {
            Issue.record("\(actions)")
            return
        }
    }
}

/// PING (SPEC §11.4): a busy peer's sign of life, ignored by the session once the peer has this
/// side's HELLO; a stranger's PING before any HELLO is refused like any other message.
@Suite("Sync session: PING")
struct SyncSessionPingTests {
    typealias F = SyncFixtures

    @Test func aClientIgnoresPingWhileItWaitsForTheServersHello() {
        var client = SyncSession(
            role: .client,
            local: SyncSession.Local(storeID: F.store, replicaID: F.alice, name: "alice", clock: [F.alice: 1], digest: F.digestA))
        _ = client.begin()
        #expect(client.receive(.ping) == [])
        #expect(
            client.receive(.hello(F.hello(replica: F.bob, clock: [F.bob: 1]))).contains {
                if case .startSending = $0 { true } else { false }
            })
        #expect(client.receive(.ping) == [], "and while syncing")
        #expect(!client.isFinished)
    }

    @Test func aServerRefusesPingBeforeTheHello() {
        var server = SyncSession.awaitingHello()
        _ = server.begin()
        guard case .send(.error(.unexpectedMessage, _))? = server.receive(.ping).first else {
            Issue.record("PING before HELLO was not refused")
            return
        }
        #expect(server.isFinished)
    }

    @Test func aServerIgnoresPingWhileSyncing() {
        var server = SyncSessionTests.syncing()
        #expect(server.receive(.ping) == [])
        #expect(server.send(batch: [], isLast: true) == [.send(.end)], "still taking its first batch")
    }

    @Test func peerTakesPingFollowsTheHello() {
        var server = SyncSession.awaitingHello()
        _ = server.begin()
        _ = server.receive(.hello(F.hello(replica: F.alice, capabilities: [SyncProtocol.pingCapability])))
        #expect(server.peerTakesPing, "known from the HELLO, before this side's own is sent")
        var other = SyncSession.awaitingHello()
        _ = other.begin()
        _ = other.receive(.hello(F.hello(replica: F.alice)))
        #expect(!other.peerTakesPing)
    }
}
