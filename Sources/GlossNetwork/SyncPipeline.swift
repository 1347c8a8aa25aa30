import GlossProtocol
import NIOCore

enum SyncPipeline {
    /// Frames in, bytes out, with timeouts; then wrapped for async use. Outbound writes never
    /// wait for the socket under the high-water mark, which is far above one batch in flight,
    /// so two peers writing at once cannot deadlock.
    /// `tls` (the NIOSSL handler) sits below the framing: the magic and frames travel inside it.
    ///
    /// `makeTLS` runs on the channel's event loop: the NIOSSL handler is not Sendable.
    static func configure(_ channel: Channel, limits: SyncLimits, tls makeTLS: @escaping @Sendable () throws -> [ChannelHandler])
        -> EventLoopFuture<NIOAsyncChannel<SyncFrame, ByteBuffer>>
    {
        channel.eventLoop.makeCompletedFuture {
            let tls = try makeTLS()
            try channel.syncOptions?.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 32 << 20, high: 64 << 20))
            // A peer that stops writing mid-frame can still be told why it is dropped.
            try channel.syncOptions?.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            // The idle timeout counts progress (`ProgressWatchdog`): a complete frame, or 4 KiB
            // more bytes, so a peer dripping a byte at a time holds no session while a large
            // frame crossing a slow link does. The handshake deadline covers a peer that stalls
            // its TLS handshake.
            let watchdog = ProgressWatchdog(timeout: limits.idleTimeout)
            let handlers: [ChannelHandler] =
                [watchdog.rawCounter] + tls + [
                    ByteToMessageHandler(SyncFrameDecoder()),
                    watchdog.frameWatch,
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
