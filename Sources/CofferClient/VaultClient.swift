import AsyncHTTPClient
import CofferJSON
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A client for the Vault HTTP API (works against Coffer and HashiCorp Vault).
///
/// ```swift
/// try await withVaultClient { client in                     // VAULT_ADDR, VAULT_TOKEN / ~/.vault-token
///     _ = try await client.write("secret/data/app", data: ["data": ["password": "s3cr3t"]])
///     let secret = try await client.read("secret/data/app")
///     print(secret?.data?["data"]?["password"]?.stringValue ?? "")
/// }
/// ```
///
/// One `HTTPClient` (on the shared NIO singleton event loop group) serves every request; call
/// ``shutdown()`` when done, or use ``withVaultClient(_:_:)`` which always does.
public final class VaultClient: Sendable {
    /// Where and how to reach the server.
    public struct Configuration: Sendable {
        /// Base address without `/v1`, e.g. `http://127.0.0.1:8200`.
        public var address: String
        public var token: String?
        /// Sent as `X-Vault-Namespace` when set.
        public var namespace: String?
        /// Accept any TLS certificate (`VAULT_SKIP_VERIFY`).
        public var skipTLSVerification: Bool
        /// CA, client certificate and server name for `https` (`VAULT_CACERT`, `VAULT_CLIENT_CERT`, …).
        public var tls: VaultTLSSettings
        /// Per-request deadline; Vault's Go client defaults to 60 s.
        public var timeout: Duration

        public init(
            address: String = VaultClient.defaultAddress, token: String? = nil, namespace: String? = nil,
            skipTLSVerification: Bool = false, tls: VaultTLSSettings = VaultTLSSettings(),
            timeout: Duration = .seconds(60)
        ) {
            self.address = address
            self.token = token
            self.namespace = namespace
            self.skipTLSVerification = skipTLSVerification
            self.tls = tls
            self.timeout = timeout
        }

        /// Reads `VAULT_ADDR`, `VAULT_TOKEN` (falling back to the token helper file), `VAULT_NAMESPACE`,
        /// `VAULT_SKIP_VERIFY` (Go's `strconv.ParseBool` spellings) and the TLS variables of ``VaultTLSSettings``,
        /// the way the `vault` CLI does.
        public static func fromEnvironment(
            _ environment: [String: String] = ProcessInfo.processInfo.environment
        ) throws -> Configuration {
            var configuration = Configuration()
            if let address = environment["VAULT_ADDR"], !address.isEmpty { configuration.address = address }
            if let token = environment["VAULT_TOKEN"], !token.isEmpty {
                configuration.token = token
            } else {
                configuration.token = try TokenHelper(environment: environment).get()
            }
            if let namespace = environment["VAULT_NAMESPACE"], !namespace.isEmpty {
                configuration.namespace = namespace
            }
            if let skip = environment["VAULT_SKIP_VERIFY"], !skip.isEmpty {
                guard let value = parseGoBool(skip) else {
                    throw VaultClientError.configuration("could not parse VAULT_SKIP_VERIFY")
                }
                configuration.skipTLSVerification = value
            }
            configuration.tls = VaultTLSSettings.fromEnvironment(environment)
            return configuration
        }

        /// Go's `strconv.ParseBool`: exactly these spellings, anything else is an error.
        public static func parseGoBool(_ text: String) -> Bool? {
            switch text {
            case "1", "t", "T", "true", "TRUE", "True": return true
            case "0", "f", "F", "false", "FALSE", "False": return false
            default: return nil
            }
        }
    }

    public static let defaultAddress = "https://127.0.0.1:8200"
    public static let mergePatchContentType = "application/merge-patch+json"
    /// Largest body accepted from the server.
    static let maxResponseBytes = 64 << 20

    public let address: String
    public let namespace: String?
    private let timeout: Duration
    private let httpClient: HTTPClient
    private let currentToken: Mutex<String?>
    /// ``address`` with the TLS server name as host when one is set (see ``VaultTLSSettings/serverName``).
    private let dialledAddress: String
    /// The `Host` header for requests that dial the TLS server name: the configured address's host, as Go sends.
    private let hostHeader: String?

    public init(configuration: Configuration) throws {
        let trimmed =
            configuration.address.hasSuffix("/")
            ? String(configuration.address.dropLast()) : configuration.address
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else { throw VaultClientError.invalidAddress(configuration.address) }
        self.address = trimmed
        self.namespace = configuration.namespace
        self.timeout = configuration.timeout
        self.currentToken = Mutex(configuration.token)
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.tlsConfiguration = try configuration.tls.makeTLSConfiguration(
            skipVerification: configuration.skipTLSVerification)
        // AsyncHTTPClient takes SNI and the verified name from the URL's host, so with a server name the
        // request goes to that name and the DNS override sends the connection to the configured host.
        if scheme == "https", let serverName = configuration.tls.serverName, let host = url.host,
            serverName != host
        {
            // An IPv6 host is written in brackets in the address and the Host header, bare for the dialler.
            let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            let written = bare.contains(":") ? "[\(bare)]" : bare
            httpConfiguration.dnsOverride = [serverName: bare]
            self.dialledAddress = Self.replacingHost(of: trimmed, host: written, with: serverName)
            self.hostHeader = url.port.map { "\(written):\($0)" } ?? written
        } else {
            self.dialledAddress = trimmed
            self.hostHeader = nil
        }
        // Vault answers 307 from standbys; following it (with the body) is what the Go client does.
        httpConfiguration.redirectConfiguration = .follow(max: 2, allowCycles: false)
        // Fail at once when nothing listens (as the Go client does) instead of retrying the
        // connection until the request deadline.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        httpConfiguration.timeout.connect = .seconds(10)
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    }

    /// A client configured from the environment (see ``Configuration/fromEnvironment(_:)``).
    public convenience init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(configuration: .fromEnvironment(environment))
    }

    /// The token sent as `X-Vault-Token`, if any.
    public var token: String? { currentToken.withLock { $0 } }

    /// Replaces the token used by later requests (e.g. after a login).
    public func setToken(_ token: String?) {
        currentToken.withLock { $0 = token }
    }

    /// Closes connections. Must be called exactly once before the client is released.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    // MARK: - Raw requests

    /// Sends one request and returns the answer whatever its status.
    ///
    /// `path` is the logical path below `/v1/`. `headers` are added after the defaults
    /// (`X-Vault-Request`, `X-Vault-Token`, `X-Vault-Namespace`) and replace them; an empty
    /// `X-Vault-Token` value sends no token at all.
    public func send(
        _ method: String, _ path: String, body: Data? = nil, query: [String: String] = [:],
        headers: [String: String] = [:]
    ) async throws -> VaultResponse {
        let url = self.url(for: path, query: query)
        var request = HTTPClientRequest(url: dialledAddress + url.dropFirst(address.count))
        request.method = HTTPMethod(rawValue: method.uppercased())
        var merged: [String: String] = ["X-Vault-Request": "true"]
        if let hostHeader { merged["Host"] = hostHeader }
        if let token, !token.isEmpty { merged["X-Vault-Token"] = token }
        if let namespace { merged["X-Vault-Namespace"] = namespace }
        for (name, value) in headers {
            merged = merged.filter { $0.key.lowercased() != name.lowercased() }
            merged[name] = value
        }
        for (name, value) in merged.sorted(by: { $0.key < $1.key }) where !value.isEmpty {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await httpClient.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            var responseHeaders: [String: String] = [:]
            for header in response.headers {
                let name = header.name.lowercased()
                responseHeaders[name] = responseHeaders[name].map { "\($0), \(header.value)" } ?? header.value
            }
            return VaultResponse(
                statusCode: Int(response.status.code), headers: responseHeaders, body: Data(buffer.readableBytesView))
        } catch {
            throw VaultClientError.transport(method: method, url: url, message: String(describing: error))
        }
    }

    /// Sends one request and throws ``VaultAPIError`` unless the status is 2xx/3xx.
    public func request(
        _ method: String, _ path: String, body: JSONValue? = nil, query: [String: String] = [:],
        headers: [String: String] = [:]
    ) async throws -> VaultResponse {
        try await request(method, path, rawBody: body.map { Data($0.serialized()) }, query: query, headers: headers)
    }

    /// Like ``request(_:_:body:query:headers:)`` with a body that is already encoded.
    public func request(
        _ method: String, _ path: String, rawBody: Data?, query: [String: String] = [:],
        headers: [String: String] = [:]
    ) async throws -> VaultResponse {
        let response = try await send(method, path, body: rawBody, query: query, headers: headers)
        guard response.isSuccess else {
            throw VaultAPIError(
                method: method.uppercased(), url: url(for: path, query: query), response: response)
        }
        return response
    }

    /// The full URL for a logical path, with the path percent-encoded and the query sorted.
    public func url(for path: String, query: [String: String] = [:]) -> String {
        var logical = path
        while logical.hasPrefix("/") { logical.removeFirst() }
        let encoded = logical.addingPercentEncoding(withAllowedCharacters: Self.pathAllowed) ?? logical
        var url = "\(address)/v1/\(encoded)"
        if !query.isEmpty {
            url +=
                "?"
                + query.sorted(by: { $0.key < $1.key }).map { key, value in
                    "\(Self.queryEscape(key))=\(Self.queryEscape(value))"
                }.joined(separator: "&")
        }
        return url
    }

    private static let pathAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "?#;")
        return set
    }()

    private static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: - Logical helpers (the Go client's `Logical()`)

    /// `GET`; `nil` when the server answers 404 without a secret body (the Go client's rule).
    public func read(_ path: String, query: [String: String] = [:]) async throws -> VaultResponse? {
        try await orNilOnNotFound { try await self.request("GET", path, query: query) }
    }

    /// `LIST`; `nil` when nothing is there.
    public func list(_ path: String) async throws -> VaultResponse? {
        try await orNilOnNotFound { try await self.request("LIST", path) }
    }

    /// `PUT` with a JSON body; `nil` when the server answers without a body (204).
    @discardableResult
    public func write(_ path: String, data: JSONValue? = nil) async throws -> VaultResponse? {
        bodyOrNil(try await request("PUT", path, body: data))
    }

    /// `DELETE`; `nil` when the server answers without a body (204).
    @discardableResult
    public func delete(_ path: String, query: [String: String] = [:]) async throws -> VaultResponse? {
        bodyOrNil(try await request("DELETE", path, query: query))
    }

    /// `PATCH` with a JSON merge-patch body.
    @discardableResult
    public func patch(_ path: String, data: JSONValue) async throws -> VaultResponse? {
        bodyOrNil(
            try await request(
                "PATCH", path, body: data, headers: ["Content-Type": Self.mergePatchContentType]))
    }

    /// `address` with its host (the text after `://` up to the port, path or end) replaced by `name`.
    private static func replacingHost(of address: String, host: String, with name: String) -> String {
        guard let schemeEnd = address.range(of: "://"),
            let hostRange = address.range(
                of: host, options: [.caseInsensitive], range: schemeEnd.upperBound..<address.endIndex)
        else { return address }
        return address.replacingCharacters(in: hostRange, with: name)
    }

    private func orNilOnNotFound(_ call: () async throws -> VaultResponse) async throws -> VaultResponse? {
        do {
            return bodyOrNil(try await call())
        } catch let error as VaultAPIError where error.statusCode == 404 {
            return error.response.carriesSecret ? error.response : nil
        }
    }

    private func bodyOrNil(_ response: VaultResponse) -> VaultResponse? {
        response.json == nil ? nil : response
    }
}

/// Runs `body` with a client configured from the environment (or `configuration`) and shuts the
/// client down afterwards, also when `body` throws.
@discardableResult
public func withVaultClient<Result: Sendable>(
    _ configuration: VaultClient.Configuration? = nil,
    _ body: (VaultClient) async throws -> Result
) async throws -> Result {
    let client = try VaultClient(configuration: configuration ?? .fromEnvironment())
    let result: Result
    do {
        result = try await body(client)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
    return result
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
