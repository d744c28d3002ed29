import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Reading an audit file back: every line must be one complete JSON object.
struct AuditLog {
    let url: URL

    var text: String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    /// Every entry, in file order; a line that is not a whole JSON object fails the test.
    func entries(prefix: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: JSONValue]]
    {
        try text.split(separator: "\n").map { line in
            try #require(line.hasPrefix(prefix), sourceLocation: sourceLocation)
            let parsed = try JSONParser.parse(Array(line.dropFirst(prefix.count).utf8))
            return try #require(parsed.objectValue, sourceLocation: sourceLocation)
        }
    }

    /// The request and response entries of the request whose `request.path` is `path` (the last one if several).
    func pair(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> (request: [String: JSONValue], response: [String: JSONValue])
    {
        let matching = try entries().filter { $0["request"]?["path"]?.stringValue == path }
        let request = try #require(matching.last { $0["type"] == "request" }, sourceLocation: sourceLocation)
        let response = try #require(matching.last { $0["type"] == "response" }, sourceLocation: sourceLocation)
        return (request, response)
    }
}

extension CoreHarness {
    /// Enables a file device at `path` writing to `file`; the test fails if the enable does not answer 204.
    func enableFileAudit(
        _ path: String = "file", file: URL, options: [String: JSONValue] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = await request(
            .update, "sys/audit/\(path)",
            ["type": "file", "options": .object(["file_path": .string(file.path)].merging(options) { $1 })])
        try #require(response.status == 204, "\(response.text)", sourceLocation: sourceLocation)
    }

    func auditHash(_ input: String, device: String = "file") async -> String? {
        await request(.update, "sys/audit-hash/\(device)", ["input": .string(input)]).data["hash"]?.stringValue
    }
}

/// A TCP listener on 127.0.0.1 that collects every byte sent to it, for the socket device. Plain POSIX calls on a
/// dedicated thread (tests only; nothing here runs on an event loop).
final class LoopbackCollector: Sendable {
    let port: Int
    private let listener: Int32
    private let received = Mutex<[UInt8]>([])
    private let stopped = Mutex(false)

    /// Listens on `port`, or on a free one when 0.
    init(port requested: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CollectorError() }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(requested).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw CollectorError() }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    struct CollectorError: Error {}

    var text: String { String(decoding: received.withLock { $0 }, as: UTF8.self) }

    /// Waits (up to `seconds`) until the collected text satisfies `condition`.
    func wait(seconds: Double = 5, until condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(text) { return text }
            try await Task.sleep(for: .milliseconds(20))
        }
        return text
    }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let reader = Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = read(client, &buffer, buffer.count)
                    if count <= 0 { break }
                    received.withLock { $0 += buffer[0..<count] }
                }
                close(client)
            }
            reader.start()
        }
    }
}

/// A UDP socket on 127.0.0.1 that collects every datagram sent to it, for the socket device's `udp` type.
final class LoopbackDatagramCollector: Sendable {
    let port: Int
    private let descriptor: Int32
    private let received = Mutex<[UInt8]>([])

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackCollector.CollectorError() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw LoopbackCollector.CollectorError() }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        descriptor = fd
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { return }
                received.withLock { $0 += buffer[0..<count] }
            }
        }.start()
    }

    var text: String { String(decoding: received.withLock { $0 }, as: UTF8.self) }

    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}
