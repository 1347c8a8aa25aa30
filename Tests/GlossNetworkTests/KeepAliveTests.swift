import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore
import GlossTestSupport
import Testing

/// PING (SPEC §11.4): a side busy applying a batch tells a peer that named `ping` it is alive,
/// and PING frames count as progress for the idle timeout.
@Suite(.onItsOwnThread) struct KeepAliveTests {
    /// `count` changes by the raw connection's own key, each creating an article.
    static func articles(_ count: Int) -> [Change] {
        (1...count).map { index in
            let body = "Article \(index): a dispatch from the field, filed late."
            return Change(
                id: Dot(replica: RawConnection.replicaID, seq: UInt64(index)),
                dependencies: index == 1 ? VersionVector() : VersionVector([RawConnection.replicaID: UInt64(index - 1)]), time: 1,
                operations: [.createArticle(id: ArticleText.id(of: body), body: body)])
        }
    }

    /// Messages the server sent so far on `peer`, after its magic.
    static func received(_ peer: RawConnection) -> [SyncMessage] {
        (try? RawConnection.messages(in: peer.bytesSoFar)) ?? []
    }

    /// A server whose store has some history of its own (so a session does not end at the
    /// HELLOs), serving with `limits`, and a raw peer connected to it that lacks everything.
    ///
    /// The peer's magic and HELLO naming `capabilities`, then what `after` gives, go out from
    /// the event loop as soon as it connects: not from the test's task, which may wait for a
    /// cooperative thread (CPU-bound tests beside it hold them) while the server's deadlines run.
    struct Served {
        let folder: TemporaryFolder
        let store: GlossStore
        let server: TestServer
        let peer: RawConnection

        init(
            seed: UInt64, edits: Int, limits: SyncLimits, capabilities: [String] = [],
            after: (GlossStore) -> [UInt8] = { _ in [] }
        ) async throws {
            folder = try TemporaryFolder()
            store = try makeStore(at: folder.file("server.sqlite"), name: "server")
            var random = SplitMix64(seed: seed)
            try editRandomly(store, count: edits, using: &random)
            server = try await TestServer(store: store, limits: limits)
            let hello = Self.hello(of: store, capabilities: capabilities)
            peer = try await RawConnection(
                port: server.port, sending: SyncProtocol.magic + SyncMessage.hello(hello).framed() + after(store))
        }

        /// The peer's HELLO: an empty clock, and `capabilities`.
        static func hello(of store: GlossStore, capabilities: [String]) -> SyncMessage.Hello {
            SyncMessage.Hello(
                storeID: store.identity.storeID, replicaID: RawConnection.replicaID, name: "raw", clock: VersionVector(),
                digest: StateDigest.of(ReplicaState()), capabilities: capabilities)
        }

        func stop() async {
            peer.close()
            await server.stop()
        }
    }

    /// The peer sends its HELLO and 2,000 changes in one batch; the server's messages until it
    /// acknowledged them (at most 30 s).
    static func messagesUntilABigBatchIsAcknowledged(capabilities: [String]) async throws -> (Served, [SyncMessage]) {
        var limits = testLimits()
        limits.pingInterval = .milliseconds(20)
        let served = try await Served(seed: 3, edits: 3, limits: limits, capabilities: capabilities) { store in
            SyncMessage.changes(batch: 1, RawConnection.sign(Self.articles(2_000), for: store)).framed()
        }
        for _ in 0..<600 where !Self.received(served.peer).contains(.ack(batch: 1)) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let messages = Self.received(served.peer)
        await served.stop()
        return (served, messages)
    }

    @Test func aServerApplyingABigBatchPingsAPeerThatNamedPing() async throws {
        let (served, messages) = try await Self.messagesUntilABigBatchIsAcknowledged(capabilities: [SyncProtocol.pingCapability])
        #expect(messages.contains(.ack(batch: 1)), "\(messages.map(\.kind))")
        let ack = try #require(messages.firstIndex(of: .ack(batch: 1)))
        #expect(messages[..<ack].contains(.ping), "PING while applying: \(messages.map(\.kind))")
        #expect(try served.store.clock()[RawConnection.replicaID] == 2_000)
    }

    @Test func noPingForAPeerThatDidNotNameIt() async throws {
        let (_, messages) = try await Self.messagesUntilABigBatchIsAcknowledged(capabilities: [])
        #expect(messages.contains(.ack(batch: 1)) && !messages.contains(.ping), "\(messages.map(\.kind))")
    }

    /// The idle timeout counts progress: PING every second keeps a 10 s timeout from firing for
    /// 24 s, while the server waits for an ACK that never comes. (A 6 s timeout failed CI: with
    /// a hundred TLS sessions of other tests on the same two event loops, a PING could take
    /// seconds to cross loopback.)
    @Test func pingKeepsASessionPastTheIdleTimeout() async throws {
        var limits = testLimits()
        limits.idleTimeout = .seconds(10)
        let served = try await Served(seed: 5, edits: 6, limits: limits)
        let peer = served.peer
        // PING only once the server's HELLO is here (SPEC §11.4.6), then one a second. All on a
        // thread of its own: a sleeping task can wake seconds late while CPU-bound tests hold
        // the cooperative threads, and a late PING would be the test's fault, not the server's.
        await onAThreadOfItsOwn {
            for _ in 0..<3000 where (try? RawConnection.messages(in: peer.bytesSoFar))?.first?.kind != .hello {
                usleep(10_000)
            }
            for _ in 0..<24 {
                peer.send(SyncMessage.ping.framed())
                usleep(1_000_000)
            }
        }
        let messages = try RawConnection.messages(in: peer.bytesSoFar)
        await served.stop()
        #expect(messages.first?.kind == .hello && messages.allSatisfy { $0.errorCode == nil }, "\(messages.filter { $0.errorCode != nil })")
    }
}

/// Compression is negotiated in the HELLOs (SPEC §11.4.2a): a peer that names `deflate` gets
/// deflated CHANGES (type 7), one that does not gets plain ones, and both sync.
@Suite(.onItsOwnThread) struct DeflateNegotiationTests {
    /// The types of the frames the server sent after its magic.
    static func frameTypes(_ bytes: [UInt8]) -> [UInt8] {
        var types: [UInt8] = []
        var offset = 8
        while offset + 5 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            types.append(bytes[offset + 4])
            offset += 4 + length
        }
        return types
    }

    @Test(arguments: [true, false])
    func theServerCompressesOnlyForAPeerThatNamedDeflate(peerNamesDeflate: Bool) async throws {
        let served = try await KeepAliveTests.Served(
            seed: 8, edits: 40, limits: testLimits(), capabilities: peerNamesDeflate ? [SyncProtocol.deflateCapability] : [])
        let peer = served.peer
        var types: [UInt8] = []
        for _ in 0..<200
        where !types.contains(SyncMessage.Kind.changes.rawValue) && !types.contains(SyncMessage.Kind.changesDeflated.rawValue) {
            try await Task.sleep(for: .milliseconds(50))
            types = Self.frameTypes(peer.bytesSoFar)
        }
        await served.stop()
        let expected = peerNamesDeflate ? SyncMessage.Kind.changesDeflated : .changes
        let other = peerNamesDeflate ? SyncMessage.Kind.changes : .changesDeflated
        #expect(types.contains(expected.rawValue) && !types.contains(other.rawValue), "\(types)")
        // Whatever the type, the batch decodes to the server's changes.
        let messages = try RawConnection.messages(in: peer.bytesSoFar)
        let sent = messages.compactMap { message -> Int? in
            if case .changes(_, let batch) = message { return batch.changes.count }
            return nil
        }
        #expect(sent.first ?? 0 > 0)
    }
}
