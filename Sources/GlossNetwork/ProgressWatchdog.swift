import GlossCore
import GlossProtocol
import NIOCore

/// Ends a session whose peer makes no progress for `timeout`: progress is a complete frame, or
/// `minimumBytes` more raw bytes (a large frame crossing a slow link is progress; a peer
/// dripping a byte a minute is not). The clock starts at the first frame (before it, the
/// handshake deadline applies, `SyncTimeoutHandler`), and runs only while the session driver
/// waits for the peer: while this side is busy (applying a batch, reading its store, or simply
/// slow to take the next frame), the peer is not to blame.
///
/// Two handlers share one meter: `rawCounter` sits below TLS and counts bytes, `frameWatch`
/// sits above the frame decoder, marks frames and raises `.timeout` there, where the session
/// driver reads it. Both live on the channel's event loop.
final class ProgressWatchdog {
    /// 4 KiB: half a second of a 64 kbit/s link.
    static let minimumBytes = 4 * 1024

    let timeout: TimeAmount
    private var lastProgress = NIODeadline.now()
    private var bytesSinceProgress = 0
    private var waiting = false
    private var lastCheck = NIODeadline.now()
    /// The clock runs from the first frame: before it, the handshake deadline governs.
    private var running = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    var rawCounter: ChannelHandler { RawCounter(watchdog: self) }
    var frameWatch: ChannelHandler { FrameWatch(watchdog: self) }

    fileprivate func progressed() {
        lastProgress = .now()
        bytesSinceProgress = 0
    }

    fileprivate func received(bytes: Int) {
        bytesSinceProgress += bytes
        if bytesSinceProgress >= Self.minimumBytes { progressed() }
    }

    fileprivate var stalled: Bool { running && waiting && NIODeadline.now() - lastProgress > timeout }

    /// False when this check comes well after the last (the event loop itself was held up, by
    /// a burst of TLS handshakes, say): then what the peer sent meanwhile may be unread in the
    /// socket, and the clock restarts rather than blame the peer.
    fileprivate func checkedOnTime(every period: TimeAmount) -> Bool {
        let now = NIODeadline.now()
        defer { lastCheck = now }
        guard now - lastCheck <= period * 2 else {
            progressed()
            return false
        }
        return true
    }

    fileprivate func frameArrived() {
        running = true
        progressed()
    }

    /// Sent down the pipeline (`fireUserInboundEventTriggered`) when the driver starts (true)
    /// or stops (false) waiting for the peer's next frame.
    struct Waiting: Sendable {
        let isWaiting: Bool
    }

    fileprivate func setWaiting(_ isWaiting: Bool) {
        if isWaiting && !waiting { progressed() }  // the silence until now was this side's
        waiting = isWaiting
    }

    private final class RawCounter: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let watchdog: ProgressWatchdog

        init(watchdog: ProgressWatchdog) { self.watchdog = watchdog }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            watchdog.received(bytes: unwrapInboundIn(data).readableBytes)
            context.fireChannelRead(data)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let waiting = event as? Waiting {
                watchdog.setWaiting(waiting.isWaiting)
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }
    }

    private final class FrameWatch: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = SyncFrame
        typealias InboundOut = SyncFrame
        let watchdog: ProgressWatchdog
        private var check: RepeatedTask?

        init(watchdog: ProgressWatchdog) { self.watchdog = watchdog }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { start(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            start(context)
            context.fireChannelActive()
        }

        private func start(_ context: ChannelHandlerContext) {
            guard check == nil else { return }
            watchdog.progressed()
            let (loopBound, span) = (NIOLoopBound(context, eventLoop: context.eventLoop), watchdog.timeout.inWords)
            let watchdog = NIOLoopBound(self.watchdog, eventLoop: context.eventLoop)
            let period = TimeAmount.nanoseconds(max(watchdog.value.timeout.nanoseconds / 8, 1_000_000))
            check = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { task in
                guard watchdog.value.checkedOnTime(every: period), watchdog.value.stalled else { return }
                task.cancel()
                loopBound.value.fireErrorCaught(
                    ProtocolError(
                        .timeout, "the peer made no progress for \(span) (no complete message, and under 4 KiB)", at: 0))
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            watchdog.frameArrived()
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            check?.cancel()
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            check?.cancel()
        }
    }
}
