import AsyncHTTPClient
import CofferFramework
import Foundation
import NIOCore

/// Plain HTTP requests for the HA tests, through AsyncHTTPClient with redirects NOT followed (a standby's `307` is
/// what some tests assert), any method (`LIST` included), and the answer's headers kept.
///
/// ```swift
/// let answer = try await TestHTTP.send("LIST", node.url + "/v1/cubbyhole/", headers: ["X-Vault-Token": root])
/// #expect(answer.status == 200)
/// ```
enum TestHTTP {
    struct Answer: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var json: JSONValue? { try? JSONParser.parse(Array(body.utf8)) }
        var errors: [String] { json?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    }

    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)))
        configuration.httpVersion = .http1Only
        // A connection per request: the tests' servers stop and the kernel hands their ports to later servers, so
        // a pooled connection could belong to a server that is gone.
        configuration.maximumUsesPerConnection = 1
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func send(
        _ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: bytes))
    }
}
