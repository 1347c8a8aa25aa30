import GlossProtocol
import NIOCore

/// Turns silence into a `.timeout` error on the connection: no frame within the handshake
/// deadline. (No progress for the idle timeout is `ProgressWatchdog`'s.) The session driver
/// sees the error, tells the peer, and closes.
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
        let nanoseconds = handshakeTimeout.nanoseconds
        let seconds = nanoseconds % 1_000_000_000 == 0 ? "\(nanoseconds / 1_000_000_000)" : "\(Double(nanoseconds) / 1e9)"
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            loopBound.value.fireErrorCaught(ProtocolError(.timeout, "no HELLO within \(seconds) seconds", at: 0))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.cancel()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }
}
