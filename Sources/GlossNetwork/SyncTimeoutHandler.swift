import GlossProtocol
import NIOCore

/// Turns silence into a `.timeout` error on the connection: no frame within the handshake
/// deadline, or no bytes for the idle timeout (an `IdleStateHandler` before this one reports
/// that). The session driver sees the error, tells the peer, and closes.
final class SyncTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = SyncFrame
    typealias InboundOut = SyncFrame

    private let handshakeTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(handshakeTimeout: TimeAmount) {
        self.handshakeTimeout = handshakeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armDeadline(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armDeadline(context: context)
        context.fireChannelActive()
    }

    private func armDeadline(context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        let seconds = Double(handshakeTimeout.nanoseconds) / 1e9
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            loopBound.value.fireErrorCaught(ProtocolError(.timeout, "no HELLO within \(seconds) seconds", at: 0))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.cancel()
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(ProtocolError(.timeout, "the peer sent nothing for too long", at: 0))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }
}

/// Timeouts and limits of a sync endpoint. Tests shorten them.
public struct SyncLimits: Sendable {
    /// A connection must send its HELLO within this.
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// A session that receives nothing for this long ends.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// Sessions served at once; further connections get a `busy` error.
    public var maximumSessions = 64
    public var connectTimeout: TimeAmount = .seconds(10)

    public init() {}
}

enum SyncPipeline {
    /// Frames in, bytes out, with timeouts; then wrapped for async use. Outbound writes never
    /// wait for the socket under the high-water mark, which is far above one batch in flight,
    /// so two peers writing at once cannot deadlock.
    static func configure(_ channel: Channel, limits: SyncLimits) -> EventLoopFuture<NIOAsyncChannel<SyncFrame, ByteBuffer>> {
        channel.eventLoop.makeCompletedFuture {
            try channel.syncOptions?.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 32 << 20, high: 64 << 20))
            // A peer that stops writing mid-frame can still be told why it is dropped.
            try channel.syncOptions?.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            let handlers: [ChannelHandler] = [
                IdleStateHandler(readTimeout: limits.idleTimeout),
                ByteToMessageHandler(SyncFrameDecoder()),
                SyncTimeoutHandler(handshakeTimeout: limits.handshakeTimeout),
            ]
            try channel.pipeline.syncOperations.addHandlers(handlers)
            // Read ahead at most two frames: a hostile peer cannot make the server hold many
            // maximum-size frames per connection.
            let configuration = NIOAsyncChannel<SyncFrame, ByteBuffer>.Configuration(
                backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)
            )
            return try NIOAsyncChannel<SyncFrame, ByteBuffer>(wrappingChannelSynchronously: channel, configuration: configuration)
        }
    }
}
