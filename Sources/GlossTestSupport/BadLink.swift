#if canImport(Glibc)
    import Foundation
    import GlossCore
    import Glibc

    /// A bad link between a sync client and a server, in process, with no kernel features: a TCP
    /// proxy on 127.0.0.1 that forwards each direction at a limited rate, after a delay, with
    /// random stalls (what loss looks like above TCP), and that can be cut.
    ///
    ///     let link = try BadLink(to: serverPort, profile: .init(bytesPerSecond: 8_000, delay: .milliseconds(150)))
    ///     // the client connects to 127.0.0.1:link.port
    ///     link.cut(.blackHole)      // a radio fade: connections stay open, nothing moves
    ///     link.restore()
    ///     link.cut(.drop)           // connections reset; new ones are closed at once
    ///     link.close()
    ///
    /// Each direction of a connection is a reader thread and a writer thread: the reader stamps
    /// what it reads with when it may leave, the writer lets it out at the rate. A black hole
    /// holds everything until the link is restored (then it flows again, as TCP retransmits).
    public final class BadLink: @unchecked Sendable {
        public struct Profile: Sendable {
            /// Bytes a second, each direction; nil for no limit.
            public var bytesPerSecond: Int?
            /// One-way delay.
            public var delay: Duration
            /// The chance, in percent, that a piece of 512 bytes stalls for `stall` first.
            public var stallPercent: Int
            public var stall: Duration

            public init(bytesPerSecond: Int? = nil, delay: Duration = .zero, stallPercent: Int = 0, stall: Duration = .milliseconds(300)) {
                self.bytesPerSecond = bytesPerSecond
                self.delay = delay
                self.stallPercent = stallPercent
                self.stall = stall
            }
        }

        public enum Cut: Sendable {
            /// Nothing moves; connections stay open (a fade, a tunnel).
            case blackHole
            /// Every connection is reset, and new ones are closed as soon as they are accepted.
            case drop
        }

        public let port: Int
        private let upstreamPort: Int
        private let profile: Profile
        private let listener: Int32
        private let lock = NSLock()
        private var cut: Cut?
        private var closed = false
        private var sockets: [Int32] = []
        private var forwarded = [0, 0]
        private var accepted = 0
        private var random: SplitMix64

        /// Bytes let through toward the server, and toward the client.
        public var bytesToServer: Int { locked { forwarded[0] } }
        public var bytesToClient: Int { locked { forwarded[1] } }
        /// Connections accepted so far.
        public var connections: Int { locked { accepted } }

        public init(to upstreamPort: Int, profile: Profile = Profile(), seed: UInt64 = 1) throws {
            self.upstreamPort = upstreamPort
            self.profile = profile
            random = SplitMix64(seed: seed)
            let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: 0)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard listening >= 0, bound == 0, listen(listening, 16) == 0 else {
                Glibc.close(listening)
                throw CocoaError(.fileWriteUnknown)
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &length) }
            }
            listener = listening
            port = Int(UInt16(bigEndian: address.sin_port))
            Thread { [self] in acceptLoop() }.start()
        }

        deinit { close() }

        public func cut(_ kind: Cut) {
            locked {
                cut = kind
                // Under the lock: a socket in the list is open (it leaves the list before it closes).
                if kind == .drop { for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) } }
            }
        }

        public func restore() { locked { cut = nil } }

        /// Stops accepting (the accept loop closes the listener as it ends), and resets every
        /// connection.
        public func close() {
            locked {
                guard !closed else { return }
                closed = true
                shutdown(listener, Int32(SHUT_RDWR))
                for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
            }
        }

        /// Both sockets of a connection, shut down if they are still open: ends its other threads.
        fileprivate func reset(_ pair: [Int32]) {
            locked {
                for socket in pair where sockets.contains(socket) { shutdown(socket, Int32(SHUT_RDWR)) }
            }
        }

        private func locked<T>(_ body: () -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body()
        }

        private static func loopback(port: UInt16) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            return address
        }

        private func acceptLoop() {
            defer { Glibc.close(listener) }
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else {
                    if errno == EINTR, !locked({ closed }) { continue }
                    return  // shut down by close()
                }
                let refuse: Bool = locked { closed || cut == .drop }
                if refuse {
                    Glibc.close(client)
                    continue
                }
                let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = Self.loopback(port: UInt16(upstreamPort))
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else {
                    Glibc.close(client)
                    Glibc.close(server)
                    continue
                }
                locked {
                    accepted += 1
                    sockets += [client, server]
                }
                let ends = Ends()
                Direction(link: self, from: client, to: server, index: 0, ends: ends).start()
                Direction(link: self, from: server, to: client, index: 1, ends: ends).start()
            }
        }

        /// Closes both sockets once all four threads of a connection (a reader and a writer each
        /// way) have finished, so none of them ever uses a closed descriptor.
        private final class Ends: @unchecked Sendable {
            private let lock = NSLock()
            private var finished = 0

            func finish(_ sockets: [Int32], link: BadLink) {
                lock.lock()
                finished += 1
                let last = finished == 4
                lock.unlock()
                guard last else { return }
                link.locked { link.sockets.removeAll { sockets.contains($0) } }
                for socket in sockets { Glibc.close(socket) }
            }
        }

        /// One direction of one connection: a reader and a writer with a queue between.
        private final class Direction: @unchecked Sendable {
            let link: BadLink
            let from: Int32
            let to: Int32
            let index: Int
            let ends: Ends
            private let condition = NSCondition()
            private var queue: [(due: ContinuousClock.Instant, bytes: [UInt8])] = []
            private var readerDone = false

            init(link: BadLink, from: Int32, to: Int32, index: Int, ends: Ends) {
                self.link = link
                self.from = from
                self.to = to
                self.index = index
                self.ends = ends
            }

            func start() {
                Thread { [self] in read() }.start()
                Thread { [self] in write() }.start()
            }

            private func read() {
                defer { ends.finish([from, to], link: link) }
                var buffer = [UInt8](repeating: 0, count: 512)
                while true {
                    let count = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, 512, 0) }
                    condition.lock()
                    if count > 0 {
                        queue.append((ContinuousClock.now + link.profile.delay, Array(buffer[0..<count])))
                    } else {
                        readerDone = true
                    }
                    condition.signal()
                    condition.unlock()
                    if count <= 0 { return }
                }
            }

            private func write() {
                var early = true
                defer {
                    // Ended early (a drop, a failed send): reset the connection, so that this
                    // direction's reader and the other direction stop too.
                    if early { link.reset([from, to]) } else { shutdown(to, Int32(SHUT_WR)) }
                    ends.finish([from, to], link: link)
                }
                while true {
                    condition.lock()
                    while queue.isEmpty && !readerDone { condition.wait() }
                    guard !queue.isEmpty else {
                        condition.unlock()
                        early = false  // the reader saw the end: pass the half-close on
                        return
                    }
                    let (due, bytes) = queue.removeFirst()
                    condition.unlock()
                    Thread.sleep(until: due)
                    let stalls = link.locked { link.random.chance(link.profile.stallPercent) }
                    if stalls { Thread.sleep(for: link.profile.stall) }
                    // A black hole holds the bytes until the link is restored.
                    while true {
                        let (cut, closed) = link.locked { (link.cut, link.closed) }
                        if closed || cut == .drop { return }
                        if cut == nil { break }
                        Thread.sleep(for: .milliseconds(10))
                    }
                    if let rate = link.profile.bytesPerSecond {
                        Thread.sleep(for: .seconds(Double(bytes.count) / Double(rate)))
                    }
                    var sent = 0
                    while sent < bytes.count {
                        let result = bytes[sent...].withUnsafeBytes { Glibc.send(to, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        guard result > 0 else { return }
                        sent += result
                    }
                    link.locked { link.forwarded[index] += bytes.count }
                }
            }
        }
    }

    extension Thread {
        fileprivate static func sleep(until instant: ContinuousClock.Instant) {
            let left = instant - ContinuousClock.now
            if left > .zero { sleep(for: left) }
        }

        fileprivate static func sleep(for duration: Duration) {
            Thread.sleep(forTimeInterval: duration.inSeconds)
        }
    }
#endif
