import GlossCore
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
        let span = handshakeTimeout.inWords
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            loopBound.value.fireErrorCaught(ProtocolError(.timeout, "no HELLO within \(span)", at: 0))
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
