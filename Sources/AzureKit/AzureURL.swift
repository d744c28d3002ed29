import Foundation

/// URL helpers shared by every Azure call: joining endpoint and path without `//`, escaping,
/// the https-or-loopback rule, and the redacted form used in log lines.
///
/// ```swift
/// AzureURL.join("https://management.azure.com/", "/subscriptions/s")  // https://management.azure.com/subscriptions/s
/// try AzureURL.requireSecure("http://127.0.0.1:8080", what: "jwks_uri")  // loopback may use http
/// ```
public enum AzureURL {
    /// Joins a base URL and path pieces with exactly one `/` between them.
    public static func join(_ base: String, _ pieces: String...) -> String {
        var result = base
        for piece in pieces where !piece.isEmpty {
            while result.hasSuffix("/") { result.removeLast() }
            var rest = Substring(piece)
            while rest.hasPrefix("/") { rest = rest.dropFirst() }
            result += "/" + rest
        }
        return result
    }

    /// Percent-escapes one path segment (a `/` inside a name cannot split the path).
    public static func escapeSegment(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? segment
    }

    /// Percent-escapes a query or form value (only RFC 3986 unreserved characters stay literal).
    public static func escapeValue(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// `k=v&k2=v2` with escaped values; keys are constants and stay literal (`$expand`).
    public static func query(_ items: [(String, String)]) -> String {
        items.map { "\($0.0)=\(escapeValue($0.1))" }.joined(separator: "&")
    }

    /// Whether the URL's host is loopback: `127.0.0.0/8`, `::1` or `localhost`.
    public static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }

    /// Refuses anything but `https://` URLs, except `http://` to a loopback host (tests, the simulator).
    public static func requireSecure(_ url: String, what: String) throws(AzureError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw AzureError.configuration("\(what) \"\(url)\" is not an absolute URL")
        }
        if scheme == "https" { return }
        if scheme == "http" && isLoopback(url) { return }
        throw AzureError.configuration(
            "\(what) \"\(url)\" must use https:// (http:// is allowed only for loopback hosts)")
    }

    /// The URL as logged: query values other than well-known, non-secret parameters are replaced.
    static func redacted(_ url: String) -> String {
        guard let queryStart = url.firstIndex(of: "?") else { return url }
        let items = url[url.index(after: queryStart)...].split(separator: "&").map { item -> String in
            let key = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return loggableQueryKeys.contains(key.lowercased()) ? String(item) : "\(key)=REDACTED"
        }
        return url[..<queryStart] + "?" + items.joined(separator: "&")
    }

    /// The scheme, host and port of a URL, for same-origin checks.
    static func origin(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host
        else { return nil }
        return "\(scheme.lowercased())://\(host.lowercased())" + (components.port.map { ":\($0)" } ?? "")
    }

    private static let loggableQueryKeys: Set<String> = ["api-version", "$expand", "resource", "$filter", "$select"]
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    private static let segmentCharacters = unreserved.union(CharacterSet(charactersIn: "!$&'()*+,;=:@"))
}
