import Crypto
import Foundation
import GlossCore
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS
import X509

/// This replica's TLS identity: a self-signed X.509 certificate for its Ed25519 replica key,
/// made in memory at each start and never stored. Peers check the key, never the certificate's
/// names or dates, so it never needs renewing (SPEC §11.2).
struct TLSIdentity: Sendable {
    let certificate: NIOSSLCertificate
    let privateKey: NIOSSLPrivateKey

    init(key: Curve25519.Signing.PrivateKey) throws {
        let issuerKey = Certificate.PrivateKey(key)
        let replica = ID128.derived(fromPublicKey: Array(key.publicKey.rawRepresentation))
        let name = try DistinguishedName { CommonName("gloss \(DeviceID(replica))") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: issuerKey.publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(3650 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ed25519,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
            },
            issuerPrivateKey: issuerKey)
        self.certificate = try NIOSSLCertificate(bytes: Array(try certificate.serializeAsPEM().pemString.utf8), format: .pem)
        privateKey = try NIOSSLPrivateKey(bytes: Array(try issuerKey.serializeAsPEM().pemString.utf8), format: .pem)
    }
}

/// How both sides configure TLS: 1.3 only, each side presents its certificate, no CA and no
/// host name: the custom verification callback decides by the key alone.
enum SyncTLS {
    /// The ALPN name of the TLS framing, unchanged since protocol version 2 (the version itself,
    /// now 3, is agreed in HELLO, so an older peer hears why); a peer that negotiates anything
    /// else is dropped.
    static let applicationProtocol = "gloss/2"

    static func configuration(_ base: TLSConfiguration, identity: TLSIdentity) -> TLSConfiguration {
        var tls = base
        tls.minimumTLSVersion = .tlsv13
        tls.maximumTLSVersion = .tlsv13
        tls.certificateChain = [.certificate(identity.certificate)]
        tls.privateKey = .privateKey(identity.privateKey)
        tls.certificateVerification = .noHostnameVerification  // a certificate is required; the callback checks it
        tls.trustRoots = .certificates([])  // nothing is trusted by chain
        tls.verifySignatureAlgorithms = [.ed25519]  // BoringSSL's default list leaves Ed25519 out
        tls.signingSignatureAlgorithms = [.ed25519]
        tls.applicationProtocols = [applicationProtocol]
        return tls
    }

    static func serverContext(_ identity: TLSIdentity) throws -> NIOSSLContext {
        try NIOSSLContext(
            configuration: configuration(
                .makeServerConfiguration(
                    certificateChain: [.certificate(identity.certificate)], privateKey: .privateKey(identity.privateKey)),
                identity: identity))
    }

    static func clientContext(_ identity: TLSIdentity) throws -> NIOSSLContext {
        try NIOSSLContext(configuration: configuration(.makeClientConfiguration(), identity: identity))
    }

    /// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
    static let ed25519SPKIPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The replica id whose key the peer proved it holds: it presented exactly one certificate,
    /// for an Ed25519 key (the handshake itself checks the signature made with it).
    static func provenReplica(_ chain: [NIOSSLCertificate]) -> ReplicaID? {
        guard chain.count == 1, let spki = try? chain[0].extractPublicKey().toSPKIBytes(), spki.count == 44,
            spki.starts(with: ed25519SPKIPrefix)
        else { return nil }
        return ID128.derived(fromPublicKey: Array(spki.suffix(32)))
    }
}

/// What the TLS handshake proved about the peer of one connection: the key it presented is
/// noted by the verification callback (on the event loop), and becomes *proven* only when the
/// handshake completes, with `gloss/2` negotiated (the handshake checks the key's signature after
/// the callback). The session reads it once the handshake is done.
final class TLSPeer: Sendable {
    private let presented = NIOLockedValueBox<ReplicaID?>(nil)
    private let completed = NIOLockedValueBox(false)

    /// The replica id whose key the peer proved it holds; nil until the handshake completed.
    var replicaID: ReplicaID? { isHandshakeDone ? presentedReplicaID : nil }

    var isHandshakeDone: Bool { completed.withLockedValue { $0 } }

    /// The replica id of the key the peer presented, proven or not: for the warning a client
    /// prints about a server it does not trust.
    var presentedReplicaID: ReplicaID? { presented.withLockedValue { $0 } }

    /// The TLS handler and the observer that marks the handshake complete, for a server: any
    /// well-formed identity completes the handshake, so an unknown device can be told it is not
    /// trusted (and listed as pending) instead of seeing a bare TLS failure. Trust is decided
    /// after its HELLO.
    func serverHandlers(_ context: NIOSSLContext) -> [ChannelHandler] {
        let handler = NIOSSLServerHandler(context: context) { [presented] chain, promise in
            let replica = SyncTLS.provenReplica(chain)
            presented.withLockedValue { $0 = replica }
            promise.succeed(replica == nil ? .failed : .certificateVerified)
        }
        return [handler, TLSHandshakeObserver(peer: self)]
    }

    /// For a client: only a server whose key hashes to one of `trusted` completes the handshake,
    /// so the client never sends its own certificate, or anything else, to another. The id found
    /// is kept either way, for the warning that names it.
    func clientHandlers(_ context: NIOSSLContext, trusting trusted: Set<ReplicaID>) throws -> [ChannelHandler] {
        let handler = try NIOSSLClientHandler(context: context, serverHostname: nil) { [presented] chain, promise in
            let replica = SyncTLS.provenReplica(chain)
            presented.withLockedValue { $0 = replica }
            promise.succeed(replica.map(trusted.contains) == true ? .certificateVerified : .failed)
        }
        return [handler, TLSHandshakeObserver(peer: self)]
    }

    fileprivate func markCompleted() { completed.withLockedValue { $0 = true } }
}

/// Marks a connection's `TLSPeer` proven when the handshake completes, and closes a connection
/// that negotiated another application protocol than `gloss/2` (or none).
final class TLSHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let peer: TLSPeer

    init(peer: TLSPeer) { self.peer = peer }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let negotiated) = event {
            guard negotiated == SyncTLS.applicationProtocol else {
                context.close(promise: nil)
                return
            }
            peer.markCompleted()
        }
        context.fireUserInboundEventTriggered(event)
    }
}
