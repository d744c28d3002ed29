import CofferFramework

/// The addresses a node advertises in the HA lock when it becomes active: standbys forward to (or redirect
/// clients to) `apiAddress`, and `sys/leader` reports both.
///
/// ```swift
/// let advertisement = HAAdvertisement(apiAddress: "https://node-a:8200", clusterAddress: "https://node-a:8201")
/// let value = advertisement.encoded                 // {"api_addr":"…","cluster_addr":"…"}
/// let read = HAAdvertisement(decoding: value)       // nil for anything else
/// ```
public struct HAAdvertisement: Sendable, Equatable {
    public var apiAddress: String
    public var clusterAddress: String

    public init(apiAddress: String, clusterAddress: String) {
        self.apiAddress = apiAddress
        self.clusterAddress = clusterAddress
    }

    /// `cluster_addr` when unset: `api_addr` with https and the port plus one (Vault's default, 8201).
    public static func defaultClusterAddress(apiAddress: String) -> String {
        var rest = Substring(apiAddress)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let hostPort = rest.prefix { $0 != "/" }
        guard let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]"),
            let port = Int(hostPort[hostPort.index(after: colon)...]), port < 65535
        else { return "https://\(hostPort):8201" }
        return "https://\(hostPort[..<colon]):\(port + 1)"
    }

    public var encoded: String {
        String(decoding: JSONValue.object(["api_addr": .string(apiAddress), "cluster_addr": .string(clusterAddress)]).serialized(), as: UTF8.self)
    }

    public init?(decoding value: String) {
        guard let object = try? JSONParser.parse(Array(value.utf8)).objectValue,
            let api = object["api_addr"]?.stringValue, let cluster = object["cluster_addr"]?.stringValue
        else { return nil }
        self.init(apiAddress: api, clusterAddress: cluster)
    }
}
