import Foundation

/// What "loopback" means to the simulator, decided by parsing addresses (`inet_pton`) rather than by prefixes, so
/// `127.evil.example` is a DNS name like any other.
///
/// ```swift
/// SimulatorCore.isLoopback("127.0.0.1")                 // true: 127.0.0.0/8 and ::1 only
/// SimulatorCore.isLoopbackAuthority("localhost:8080")   // true: a Host header naming this machine
/// ```
extension SimulatorCore {
    /// Whether `host` is a loopback address literal: IPv4 in 127.0.0.0/8 or IPv6 `::1`, the latter optionally in
    /// brackets. Names are not, `localhost` included: a hosts file or resolver may point them anywhere.
    static func isLoopback(_ host: String) -> Bool {
        if host.hasPrefix("[") || host.hasSuffix("]") {
            guard host.count >= 2, host.hasPrefix("["), host.hasSuffix("]") else { return false }
            return isIPv6Loopback(String(host.dropFirst().dropLast()))
        }
        return isIPv4Loopback(host) || isIPv6Loopback(host)
    }

    /// Whether an HTTP `Host` value addresses this machine: a loopback literal (IPv6 in brackets) or `localhost`,
    /// each with an optional port. A DNS-rebound browser page sends its own host name here, which is refused.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = Substring(authority)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            host = host[...close]
            if !rest.isEmpty {
                guard rest.first == ":" else { return false }
                port = rest.dropFirst()
            }
        } else if let colon = host.firstIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        if let port {
            guard (1...5).contains(port.utf8.count), port.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let number = Int(port), number <= 65_535
            else { return false }
        }
        return host.lowercased() == "localhost" || isLoopback(String(host))
    }

    private static func isIPv4Loopback(_ text: String) -> Bool {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return false }
        // Network byte order: the first byte in memory is the first octet.
        return withUnsafeBytes(of: address) { $0.first == 127 }
    }

    private static func isIPv6Loopback(_ text: String) -> Bool {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return false }
        return withUnsafeBytes(of: address) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
    }

    /// The control API's answer to a request not addressed to loopback, or nil when it may proceed.
    static func controlHostRefusal(_ request: SimulatorRequest) -> SimulatorResponse? {
        // The first Host header becomes the authority; a second one stays among the fields and makes it ambiguous.
        let extraHosts = HTTPFieldName("Host").map { request.headers[values: $0].count } ?? 0
        guard let authority = request.authority, extraHosts == 0 else {
            return .json(400, ["error": "the control API needs exactly one Host header"])
        }
        guard isLoopbackAuthority(authority) else {
            return .json(403, ["error": "the control API answers only requests addressed to a loopback host"])
        }
        return nil
    }
}

extension AzureSimulator {
    /// Whether a URL's host addresses this machine (a loopback literal or `localhost`), for clients of the control
    /// API such as `coffer azure-sim token --url`, which must never send it elsewhere.
    public static func isLoopbackHost(_ host: String) -> Bool {
        host.lowercased() == "localhost" || SimulatorCore.isLoopback(host)
    }
}
