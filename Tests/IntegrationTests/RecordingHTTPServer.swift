import CofferTesting
import Foundation
import Synchronization

/// A one-thread loopback HTTP server that records each raw request and answers with a fixed
/// response, to check exactly what ``VaultClient`` puts on the wire.
///
/// ```swift
/// let server = try RecordingHTTPServer(status: "204 No Content", body: "")
/// defer { server.stop() }
/// … client at server.address …
/// server.requests.first   // "LIST /v1/secret/metadata HTTP/1.1\r\n…"
/// ```
final class RecordingHTTPServer: Sendable {
    let address: String
    private let listener: Int32
    private let recorded = Recorded()

    private final class Recorded: Sendable {
        let requests = Mutex<[String]>([])
    }

    init(status: String, body: String) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
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
        let response =
            "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let thread = Thread { [recorded] in
            // Blocking accept on a dedicated thread; ends when `stop()` shuts the socket down.
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                let request = Self.readRequest(connection)
                recorded.requests.withLock { $0.append(request) }
                _ = response.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                close(connection)
            }
        }
        thread.start()
    }

    var requests: [String] { recorded.requests.withLock { $0 } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Reads the head and, if announced, the body of one request.
    private static func readRequest(_ connection: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            data += buffer[0..<count]
            let text = String(decoding: data, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}
