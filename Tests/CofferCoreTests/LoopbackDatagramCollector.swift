import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A UDP socket on 127.0.0.1 that collects every datagram sent to it, for the socket device's `udp` type.
///
/// ```swift
/// let collector = try LoopbackDatagramCollector()
/// defer { collector.stop() }
/// print(collector.port, collector.text)
/// ```
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
