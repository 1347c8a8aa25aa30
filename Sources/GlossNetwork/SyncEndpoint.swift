import Foundation
import GlossProtocol

/// Where a sync server listens or a client connects: `HOST:PORT`, `[IPv6]:PORT`, or a bare
/// host (the default port).
public struct SyncEndpoint: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String, defaultPort: Int = SyncProtocol.defaultPort) {
        var host = text
        var port = defaultPort
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let parsed = Int(rest.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = String(text[..<colon])
            guard let parsed = Int(text[text.index(after: colon)...]) else { return nil }
            port = parsed
        }
        guard !host.isEmpty, (0...65535).contains(port), host.unicodeScalars.allSatisfy(Self.allowedInHost.contains) else {
            return nil
        }
        self.init(host: host, port: port)
    }

    /// What a host name (letters, digits, dots, dashes; underscores, which some networks use),
    /// an IPv4 address or an IPv6 address (hex, colons, a `%` zone) may hold: a path or a URL is
    /// not a host.
    static let allowedInHost = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%")

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
