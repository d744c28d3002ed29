import CofferCore
import CofferFramework
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Serves a core's unauthenticated GETs over plain HTTP/1.1 on 127.0.0.1, so the simulator can fetch Coffer's
/// plugin-identity discovery document and keys over loopback as Entra ID would.
///
/// The test target cannot use Coffer's HTTP layer (CofferHTTP/Hummingbird are not among its dependencies), so
/// this is a minimal one-request-per-connection server on its own thread; it records the paths it served.
///
/// ```swift
/// let server = try WIFIssuerServer(core: lab.core)
/// defer { server.stop() }
/// // GET http://127.0.0.1:<server.port>/v1/identity/oidc/plugins/.well-known/keys → core read
/// ```
final class WIFIssuerServer: Sendable {
    let port: Int
    private let listener: Int32
    private let served = Box<[String]>([])

    /// Paths requested so far, in order.
    var paths: [String] { served.value.withLock { $0 } }

    /// Shared mutable state for the server thread and the tasks it waits on.
    final class Box<T: Sendable>: Sendable {
        let value: Mutex<T>
        init(_ initial: T) { value = Mutex(initial) }
    }

    init(core: Core) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let served = self.served
        // A dedicated thread: accept/recv block, which must not happen on the cooperative pool.
        Thread {
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 { return }
                Self.serve(connection, core: core, served: served)
            }
        }.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(_ connection: Int32, core: Core, served: Box<[String]>) {
        defer { close(connection) }
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.containsHeaderEnd, request.count < 65_536 {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return }
            request.append(contentsOf: chunk[0..<count])
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" else { return respond(connection, 405, []) }
        let path = String(parts[1].split(separator: "?", maxSplits: 1).first ?? "")
        served.value.withLock { $0.append(path) }
        guard path.hasPrefix("/v1/") else { return respond(connection, 404, []) }
        let answer = Box<CoreResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let response = await core.handle(
                CoreRequest(
                    id: UUID().uuidString, operation: .read, path: String(path.dropFirst(4)),
                    remoteAddress: "127.0.0.1"))
            answer.value.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        guard let response = answer.value.withLock({ $0 }) else { return respond(connection, 500, []) }
        switch response.body {
        case .raw(let bytes): respond(connection, response.status, bytes)
        default: respond(connection, response.status == 200 ? 500 : response.status, [])
        }
    }

    private static func respond(_ connection: Int32, _ status: Int, _ body: [UInt8]) {
        let head =
            "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)  // a peer that hung up must not kill the test process
        #else
            let flags: Int32 = 0
        #endif
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + offset, bytes.count - offset, flags) }
            if sent <= 0 { return }
            offset += sent
        }
    }
}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4)
        where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            return true
        }
        return false
    }
}
