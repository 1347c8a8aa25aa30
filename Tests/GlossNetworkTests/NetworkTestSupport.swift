import Foundation
import GlossCore
import GlossNetwork
import GlossProtocol
import GlossStore
import GlossTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A folder of its own for each test, removed afterwards.
final class TemporaryFolder: @unchecked Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-net-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Limits for tests: generous by default (the suite runs many processes at once on a small
/// machine), short where a test is about the timeouts themselves.
func testLimits(maximumSessions: Int = 64, short: Bool = false) -> SyncLimits {
    var limits = SyncLimits()
    limits.handshakeTimeout = .seconds(short ? 3 : 15)
    limits.idleTimeout = .seconds(short ? 4 : 30)
    limits.connectTimeout = .seconds(5)
    limits.maximumSessions = maximumSessions
    return limits
}

/// A `SyncServer` on 127.0.0.1 with a port the system picked, serving a fresh store.
final class TestServer: @unchecked Sendable {
    let store: GlossStore
    let server: SyncServer
    let task: Task<Void, Error>
    let log = LogLines()
    var endpoint: SyncEndpoint { SyncEndpoint(host: "127.0.0.1", port: server.port) }
    var port: Int { server.port }

    init(store: GlossStore, limits: SyncLimits = testLimits()) async throws {
        self.store = store
        let log = self.log
        server = try await SyncServer.bind(store: store, to: SyncEndpoint(host: "127.0.0.1", port: 0), limits: limits) { log.append($0) }
        let server = self.server
        task = Task { try await server.run() }
    }

    func stop() async {
        await server.close()
        _ = await task.result
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}

/// A store with some history: articles, annotations and edits from `SimulatedReplica`.
func makeStore(at path: String, storeID: StoreID? = nil, name: String, changes: [Change] = []) throws -> GlossStore {
    let store = try GlossStore.create(at: path, storeID: storeID, name: name)
    if !changes.isEmpty { try store.apply(changes) }
    return store
}

/// Local edits on a real store, of the kinds people make, for sync tests.
func editRandomly(_ store: GlossStore, count: Int, using random: inout SplitMix64) throws {
    for _ in 0..<count {
        let state = try store.state()
        let articles = state.articles.keys.sorted()
        let alive = state.annotations.values.filter(\.presence.isAlive).map(\.id).sorted()
        let roll = random.below(10)
        if articles.isEmpty || roll == 0 {
            let body = RandomEdits.texts[random.below(RandomEdits.texts.count)] + " #\(random.below(5))"
            let id = ArticleText.id(of: body)
            try store.commit(time: 1) { _ in
                [.createArticle(id: id, body: body), .set(entity: id, field: .title, value: "t\(random.below(3))")]
            }
        } else if alive.isEmpty || roll < 4 {
            let article = articles[random.below(articles.count)]
            let body = state.articles[article]!.body
            let anchor = try QuoteAnchoring.anchor(quote: String(body.prefix(5)), in: body, occurrence: 1)
            try store.commit(time: 2) { dot in
                let id = ID128.annotation(createdAt: dot, index: 0)
                return [
                    .createAnnotation(id: id, article: article, anchor: anchor),
                    .set(entity: id, field: .note, value: "n\(random.below(4))"),
                ]
            }
        } else if roll < 8 {
            let id = alive[random.below(alive.count)]
            try store.commit(time: 3) { _ in [.set(entity: id, field: .note, value: "edit \(random.below(4))")] }
        } else {
            let id = alive[random.below(alive.count)]
            try store.commit(time: 4) { _ in [.addTag(entity: id, tag: ["todo", "verify"][random.below(2)])] }
        }
    }
}

/// A blocking TCP connection that speaks raw bytes: for sending what no Gloss peer would.
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(descriptor)
            throw CocoaError(.fileReadUnknown)
        }
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes the connection (or 20 s of silence).
    func readToEnd() -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.count < 64 << 20 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        return received
    }

    /// The messages in what the server sent (after its magic). The blocking read runs on a
    /// thread of its own: blocking a shared pool's thread could starve the server under test.
    func messagesUntilClose() async throws -> [SyncMessage] {
        let bytes = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.readToEnd()) }.start()
        }
        return try Self.messages(in: bytes)
    }

    static func messages(in bytes: [UInt8]) throws -> [SyncMessage] {
        guard bytes.count >= 8, Array(bytes.prefix(8)) == SyncProtocol.magic else { return [] }
        var messages: [SyncMessage] = []
        var offset = 8
        while offset + 4 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 1, offset + 4 + length <= bytes.count else { break }
            messages.append(try SyncMessage(type: bytes[offset + 4], body: bytes[(offset + 5)..<(offset + 4 + length)]))
            offset += 4 + length
        }
        return messages
    }

    deinit { close(descriptor) }
}

extension SyncMessage {
    var errorCode: ProtocolError.Code? {
        if case .error(let code, _) = self { return code }
        return nil
    }
}
