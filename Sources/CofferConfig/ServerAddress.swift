/// `host:port` parsed for the listener; an empty host listens on every interface.
///
/// ```swift
/// ServerAddress("127.0.0.1:8200")   // host "127.0.0.1", port 8200
/// ServerAddress("[::1]:8200")       // host "::1"
/// ServerAddress("localhost")        // nil
/// ```
public struct ServerAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}
