import NIOCore

/// Lets Vault's custom `LIST` method through NIO's HTTP parser (llhttp rejects unknown methods).
///
/// Sits before the HTTP decoder and follows HTTP/1.1 framing (head, then a `Content-Length` or
/// chunked body) so it only ever touches the start of a request: `LIST /v1/x HTTP/1.1` becomes
/// `GET /v1/x HTTP/1.1` plus the header `X-Coffer-Method: LIST`, which ``VaultResponder`` turns
/// back into a list operation. Other methods the parser does not know are carried the same way so
/// the responder can answer Vault's `405`. Everything else passes through untouched.
final class ListMethodRewriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let markerHeader = "X-Coffer-Method"
    /// Methods the HTTP parser handles itself; any other token method (`LIST`, or something
    /// unknown that must get Vault's 405) is carried in the marker header.
    static let parserMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]

    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
    static let maxHeadSize = 256 * 1024

    enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case trailers
    }

    private var state = State.head
    private var pending: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        var output: [UInt8] = []
        output.reserveCapacity(buffer.readableBytes + 32)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        var index = 0
        while index < bytes.count {
            switch state {
            case .head, .chunkSize, .trailers:
                // Line-oriented states: collect up to the terminator, then decide.
                pending.append(bytes[index])
                index += 1
                processPendingLine(&output)
            case .fixedBody(let remaining):
                let take = min(remaining, bytes.count - index)
                output.append(contentsOf: bytes[index..<(index + take)])
                index += take
                state = remaining - take == 0 ? .head : .fixedBody(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, bytes.count - index)
                output.append(contentsOf: bytes[index..<(index + take)])
                index += take
                state = remaining - take == 0 ? .chunkSize : .chunkData(remaining: remaining - take)
            }
        }
        if !output.isEmpty {
            context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: output)))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    private func endsWith(_ suffix: [UInt8]) -> Bool {
        pending.count >= suffix.count && Array(pending[(pending.count - suffix.count)...]) == suffix
    }

    private func processPendingLine(_ output: inout [UInt8]) {
        switch state {
        case .head:
            if pending.count == 2, pending == [13, 10] {
                // Blank lines between requests are allowed; pass them on.
                output.append(contentsOf: pending)
                pending.removeAll(keepingCapacity: true)
                return
            }
            if endsWith([13, 10, 13, 10]) {
                emitHead(&output)
            } else if pending.count > Self.maxHeadSize {
                // Not ours to judge: let the HTTP decoder reject it.
                output.append(contentsOf: pending)
                pending.removeAll()
                state = .fixedBody(remaining: Int.max)
            }
        case .chunkSize:
            guard endsWith([13, 10]) else { return }
            let line = String(decoding: pending.dropLast(2), as: UTF8.self)
            output.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
            let sizeText = line.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            if sizeText.isEmpty { return }  // the CRLF that ends a chunk's data
            guard let size = Int(sizeText, radix: 16) else {
                state = .fixedBody(remaining: Int.max)
                return
            }
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        case .trailers:
            guard endsWith([13, 10]) else { return }
            let blank = pending.count == 2
            output.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
            if blank { state = .head }
        default:
            break
        }
    }

    private func emitHead(_ output: inout [UInt8]) {
        var head = pending
        pending.removeAll(keepingCapacity: true)
        let text = String(decoding: head, as: UTF8.self)
        var contentLength = 0
        var chunked = false
        for line in text.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { contentLength = Int(value) ?? 0 }
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
        }
        if let space = head.firstIndex(of: 32), let lineEnd = head.firstIndex(of: 13), space < lineEnd {
            let method = String(decoding: head[..<space], as: UTF8.self)
            if !Self.parserMethods.contains(method), method.utf8.allSatisfy({ Self.isTokenCharacter($0) }) {
                var rewritten = Array("GET".utf8)
                rewritten.append(contentsOf: head[space..<lineEnd])
                rewritten.append(contentsOf: Array("\r\n\(Self.markerHeader): \(method)".utf8))
                rewritten.append(contentsOf: head[lineEnd...])
                head = rewritten
            }
        }
        output.append(contentsOf: head)
        if chunked {
            state = .chunkSize
        } else if contentLength > 0 {
            state = .fixedBody(remaining: contentLength)
        } else {
            state = .head
        }
    }
}
