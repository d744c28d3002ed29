import AsyncHTTPClient
import CofferJSON
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP to the local identity endpoints (IMDS, App Service, Arc) and the Entra ID token endpoint for
/// one login: retries 429 and 5xx with backoff (honouring `Retry-After`, which IMDS often omits), and
/// never runs past the login's deadline.
///
/// ```swift
/// try await AzureEndpointClient.with(deadline: .now + .seconds(60)) { http in
///     let answer = try await http.get(url, headers: [("Metadata", "true")], endpoint: "IMDS")
/// }
/// ```
struct AzureEndpointClient: Sendable {
    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data

        var json: [String: JSONValue]? { (try? JSONValue(parsing: body))?.objectValue }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Longest wait for one request, like the Go helper's 10 s.
    static let requestTimeout = Duration.seconds(10)
    /// Retries after the first attempt.
    static let maxRetries = 6

    let http: HTTPClient
    let deadline: ContinuousClock.Instant

    /// Runs `body` with a client that fails at once when nothing listens and shuts it down afterwards.
    static func with<Result: Sendable>(
        deadline: ContinuousClock.Instant, _ body: (AzureEndpointClient) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(AzureEndpointClient(http: http, deadline: deadline))
            try? await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// `step` is the login step a transport failure is reported under.
    func get(
        _ url: String, headers: [(String, String)], endpoint: String,
        step: AzureAuthLoginError.Step = .accessToken
    ) async throws -> Answer {
        try await send(.GET, url, headers: headers, body: nil, endpoint: endpoint, step: step)
    }

    func postForm(_ url: String, form: [(String, String)], endpoint: String) async throws -> Answer {
        try await send(
            .POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data(Self.query(form).utf8), endpoint: endpoint, step: .accessToken)
    }

    /// Sends with retries; a transport failure or the deadline ends in an error naming `endpoint`.
    private func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)], body: Data?, endpoint: String,
        step: AzureAuthLoginError.Step
    ) async throws -> Answer {
        var attempt = 0
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw AzureAuthLoginError(step, "\(endpoint) did not answer in time (\(Self.strip(url)))")
            }
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let answer: Answer
            do {
                let timeout = min(remaining, Self.requestTimeout)
                let response = try await http.execute(request, timeout: .milliseconds(timeout.milliseconds))
                let bytes = try await response.body.collect(upTo: 1 << 20)
                answer = Answer(
                    status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
            } catch {
                throw AzureAuthLoginError(
                    step, "\(endpoint) is unreachable at \(Self.strip(url)): \(error)")
            }
            guard answer.status == 429 || (500..<600).contains(answer.status), attempt < Self.maxRetries else {
                return answer
            }
            let wait = Self.backoff(attempt: attempt, retryAfter: answer.headers.first(name: "Retry-After"))
            // Give up with the last answer rather than sleep past the deadline.
            guard ContinuousClock.now + wait < deadline else { return answer }
            try await Task.sleep(for: wait)
            attempt += 1
        }
    }

    /// `Retry-After` seconds when given (at most 10 s), else 0.5 s doubling per attempt, with jitter.
    static func backoff(attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Int(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return .seconds(min(seconds, 10))
        }
        let base = 0.5 * Double(1 << min(attempt, 5))
        return .milliseconds(Int(base * 1000 * Double.random(in: 0.8...1.2)))
    }

    /// The URL without its query (which may name an identity), for messages.
    static func strip(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }

    /// `application/x-www-form-urlencoded` / query text, in the given order.
    static func query(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return items.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
