import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP listener on 127.0.0.1 that collects every byte sent to it, for the socket device. Plain POSIX calls on a
/// dedicated thread (tests only; nothing here runs on an event loop).
///
/// ```swift
/// let collector = try LoopbackCollector()
/// defer { collector.stop() }
/// let text = try await collector.wait { $0.contains("\"type\":\"response\"") }
/// ```
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
