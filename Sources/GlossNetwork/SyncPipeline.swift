import GlossProtocol
import NIOCore

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
