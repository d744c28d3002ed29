import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One raw HTTP/1.1 connection to a loopback listener (TLS or plain), kept open across requests, writing bytes
/// exactly as given: for tests that need one specific connection (keep-alive across a certificate reload, a
/// body sent in halves across SIGTERM) or the certificate the server presented, which AsyncHTTPClient hides.
///
/// ```swift
/// try await RawHTTPConnection.with(port: port, tls: try pki.clientTLSConfiguration()) { connection in
///     #expect(try await connection.get("/v1/sys/health").status == 200)
///     #expect(try await connection.serverCommonName() == pki.server.commonName)
/// }
/// ```
public final class RawHTTPConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let channel: any Channel
    private var buffered: [UInt8] = []

    /// The server closed the connection before a whole response arrived.
    public struct Closed: Error {}

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, channel: any Channel
    ) {
        self.inbound = inbound
        self.outbound = outbound
        self.channel = channel
    }

    /// Connects to `127.0.0.1:port` (with `tls`: TLS, SNI `localhost`), runs `body`, closes.
    public static func with<T>(
        port: Int, tls: TLSConfiguration? = nil, _ body: (RawHTTPConnection) async throws -> T
    ) async throws -> T {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let asyncChannel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await asyncChannel.executeThenClose { inbound, outbound in
            try await body(
                RawHTTPConnection(
                    inbound: inbound.makeAsyncIterator(), outbound: outbound, channel: asyncChannel.channel))
        }
    }

    /// `GET path` on this connection (keep-alive); the status code and body.
    public func get(_ path: String, token: String? = nil) async throws -> (status: Int, body: String) {
        let tokenHeader = token.map { "X-Vault-Token: \($0)\r\n" } ?? ""
        try await write("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(tokenHeader)\r\n")
        return try await readResponse()
    }

    /// One request with an optional JSON body on this connection; the status code and body.
    public func send(_ method: String, _ path: String, token: String? = nil, body: String? = nil) async throws
        -> (status: Int, body: String)
    {
        let tokenHeader = token.map { "X-Vault-Token: \($0)\r\n" } ?? ""
        let payload = body ?? ""
        try await write(
            "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\(tokenHeader)Content-Length: \(payload.utf8.count)\r\n\r\n"
                + payload)
        return try await readResponse()
    }

    /// Sends `text` as it is (part of a request, or several).
    public func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Reads one response with a `Content-Length` body.
    public func readResponse() async throws -> (status: Int, body: String) {
        let head = try await readHead()
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Closed() }
        var length = 0
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        let body = try await readBytes(length)
        return (status, String(decoding: body, as: UTF8.self))
    }

    /// The subject CN of the certificate the server presented on this connection (TLS only).
    public func serverCommonName() async throws -> String? {
        guard let certificate = try await channel.nioSSL_peerCertificate().get() else { return nil }
        return try TestCertificates.commonName(of: certificate)
    }

    private func readHead() async throws -> String {
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffered) {
                let head = String(decoding: buffered[..<end], as: UTF8.self)
                buffered.removeFirst(end + 4)
                return head
            }
            try await fill()
        }
    }

    private func readBytes(_ count: Int) async throws -> [UInt8] {
        while buffered.count < count { try await fill() }
        let bytes = Array(buffered[..<count])
        buffered.removeFirst(count)
        return bytes
    }

    private func fill() async throws {
        guard var next = try await inbound.next() else { throw Closed() }
        buffered += next.readBytes(length: next.readableBytes) ?? []
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }
}
