import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The one way AzureKit talks to Azure: a shared `HTTPClient` (owned by the caller), a per-request
/// deadline, Coffer's `User-Agent`, refusal of redirects, and debug logging without secrets.
///
/// ```swift
/// let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: AzureHTTP.clientConfiguration())
/// let http = AzureHTTP(client: client, version: "0.1.0", logger: logger, environment: ProcessInfo.processInfo.environment)
/// let response = try await http.send(.GET, url, call: "OIDC discovery")
/// ```
public struct AzureHTTP: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: ByteBuffer

        public var bodyData: Data { Data(body.readableBytesView) }
        public var bodyText: String { String(buffer: body) }
    }

    public let client: HTTPClient
    public let userAgent: String
    public let timeout: Duration
    public let logger: Logger
    /// `AZURE_SDK_GO_LOGGING=all`: log every call even when the logger is above debug.
    public let logEverything: Bool
    static let maxResponseBytes = 8 << 20

    public init(
        client: HTTPClient, version: String, logger: Logger, environment: [String: String] = [:],
        timeout: Duration = .seconds(10)
    ) {
        self.client = client
        self.userAgent = "Coffer/\(version.isEmpty ? "unknown" : version) (auth-azure)"
        self.timeout = timeout
        self.logger = logger
        self.logEverything = environment["AZURE_SDK_GO_LOGGING"] == "all"
    }

    /// The configuration the shared client should be created with: no redirects, 10 s connect and read timeouts.
    public static func clientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(10)))
        configuration.httpVersion = .automatic
        // A refused connection fails at once instead of being retried until the connect deadline: ARM calls
        // have their own retry policy, and a dead Entra endpoint should answer 502 quickly, not after 10 s.
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// Sends one request. A transport failure or timeout throws ``AzureError/upstream(call:status:detail:)``
    /// with a nil status; any HTTP answer (including 4xx/5xx) is returned for the caller to judge.
    public func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: ByteBuffer? = nil, call: String,
        service: AzureService = .other
    ) async throws(AzureError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(contentsOf: headers)
        if let body { request.body = .bytes(body) }
        let started = ContinuousClock.now
        let response: Response
        do {
            let answer = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            if answer.history.count > 1 {
                throw AzureError.upstream(
                    call: call, status: Int(answer.status.code),
                    detail: "a redirect was followed; the HTTPClient must use AzureHTTP.clientConfiguration()")
            }
            let bytes = try await answer.body.collect(upTo: Self.maxResponseBytes)
            response = Response(status: Int(answer.status.code), headers: answer.headers, body: bytes)
        } catch let error as AzureError {
            log(method, url, status: nil, since: started, headers: [:], failure: "\(error)")
            Self.record(service, status: nil, since: started)
            throw error
        } catch {
            let detail = Self.describe(error)
            log(method, url, status: nil, since: started, headers: [:], failure: detail)
            Self.record(service, status: nil, since: started)
            throw AzureError.upstream(call: call, status: nil, detail: detail)
        }
        log(method, url, status: response.status, since: started, headers: response.headers, failure: nil)
        Self.record(service, status: response.status, since: started)
        return response
    }

    private func log(
        _ method: HTTPMethod, _ url: String, status: Int?, since started: ContinuousClock.Instant,
        headers: HTTPHeaders, failure: String?
    ) {
        let level: Logger.Level = logEverything && logger.logLevel > .debug ? logger.logLevel : .debug
        guard logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = [
            "method": "\(method.rawValue)", "url": "\(AzureURL.redacted(url))",
            "duration_ms":
                "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ]
        if let status { metadata["status"] = "\(status)" }
        if let id = headers.first(name: "x-ms-request-id") ?? headers.first(name: "request-id") {
            metadata["request_id"] = "\(id)"
        }
        if let failure { metadata["error"] = "\(failure)" }
        logger.log(level: level, "azure request", metadata: metadata)
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { return "timed out" }
            return "\(error)"
        }
        return "\(error)"
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
