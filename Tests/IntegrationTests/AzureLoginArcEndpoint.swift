import CofferTesting
import Foundation
import Synchronization

/// A stand-in for Azure Arc's local identity endpoint (`himds`) on loopback: without
/// `Authorization: Basic <secret>` it answers 401 with `WWW-Authenticate: Basic realm=<key file>`;
/// with it, `{"access_token": <token>}`. Records the `Authorization` header of each request.
///
/// ```swift
/// let arc = try AzureLoginArcEndpoint(keyFile: dir + "/arc.key", secret: "s", token: jwt)
/// defer { arc.stop() }
/// // IDENTITY_ENDPOINT=\(arc.address)/metadata/identity/oauth2/token IMDS_ENDPOINT=\(arc.address)
/// ```
final class AzureLoginArcEndpoint: Sendable {
    let address: String
    private let listener: Int32
    private let recorded = Recorded()

    private final class Recorded: Sendable {
        let authorizations = Mutex<[String]>([])
    }

    init(keyFile: String, secret: String, token: String) throws {
        try secret.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw DevServer.Failure(description: "cannot listen") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.address = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        let thread = Thread { [recorded] in
            // Blocking accept on a dedicated thread; ends when `stop()` closes the socket.
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 8192)
                var head = ""
                while !head.contains("\r\n\r\n") {
                    let count = recv(connection, &buffer, buffer.count, 0)
                    guard count > 0 else { break }
                    head += String(decoding: buffer[0..<count], as: UTF8.self)
                }
                let authorization =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("authorization:") }
                    .map { String($0.dropFirst("authorization:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
                recorded.authorizations.withLock { $0.append(authorization) }
                let response: String
                if authorization == "Basic \(secret)" {
                    let body = "{\"access_token\":\"\(token)\",\"token_type\":\"Bearer\"}"
                    response =
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                } else {
                    response =
                        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\(keyFile)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                }
                _ = response.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                close(connection)
            }
        }
        thread.start()
    }

    /// The `Authorization` header of each request so far ("" when absent).
    var receivedAuthorizations: [String] { recorded.authorizations.withLock { $0 } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
