import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Errors of opening, keeping or listening on a connection, said so that a person can act on
/// them: "cannot find host 'hub.exmaple.org'", not `SocketAddressError.UnknownHost(...)`.
public enum NetworkErrorText {
    /// Why connecting to, or talking with, a server failed.
    public static func connecting(_ error: any Error) -> String {
        switch error {
        case let failure as NIOConnectionError:
            if let dns = failure.dnsAError ?? failure.dnsAAAAError, failure.connectionErrors.isEmpty {
                return dns is SocketAddressError.UnknownHost
                    ? "cannot find host '\(failure.host)' (check the name, and that this machine is online)"
                    : "cannot look up host '\(failure.host)': \(connecting(dns))"
            }
            if let first = failure.connectionErrors.first { return connecting(first.error) }
            return "cannot find host '\(failure.host)' (check the name, and that this machine is online)"
        case let unknown as SocketAddressError.UnknownHost:
            return "cannot find host '\(unknown.host)' (check the name, and that this machine is online)"
        case let io as IOError:
            return explain(errno: io.errnoCode)
        case ChannelError.connectTimeout:
            return "the connection timed out (is the host up, and the port open?)"
        case ChannelError.ioOnClosedChannel, ChannelError.eof, ChannelError.alreadyClosed:
            return "the connection was closed"
        case is NIOSSLError:
            return "the TLS connection failed (\(error))"
        default:
            return "\(error)"
        }
    }

    /// Why a server could not listen on an address.
    public static func listening(_ error: any Error) -> String {
        switch error {
        case let io as IOError where io.errnoCode == EADDRINUSE:
            return "the address is already in use (is another 'gloss serve', or another program, listening there?)"
        case let io as IOError where io.errnoCode == EACCES:
            return "permission denied (ports below 1024 need root; pick a higher port)"
        case let io as IOError where io.errnoCode == EADDRNOTAVAIL:
            return "this machine has no such address"
        default:
            return connecting(error)
        }
    }

    static func explain(errno code: CInt) -> String {
        switch code {
        case ECONNREFUSED: "connection refused (is 'gloss serve' running there, on that port?)"
        case ETIMEDOUT: "the connection timed out (is the host up, and the port open?)"
        case EHOSTUNREACH, ENETUNREACH: "no route to the host (is this machine online?)"
        case ECONNRESET: "the connection was reset"
        case EPIPE: "the connection was closed"
        default: String(cString: strerror(code)).lowercased()
        }
    }
}
