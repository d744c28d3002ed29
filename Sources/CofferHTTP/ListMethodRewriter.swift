import NIOCore

/// Lets Vault's custom `LIST` method through NIO's HTTP parser (llhttp rejects unknown methods).
///
/// Sits before the HTTP decoder and follows HTTP/1.1 framing (head, then a `Content-Length` or
/// chunked body) so it only ever touches the start of a request: `LIST /v1/x HTTP/1.1` becomes
/// `GET /v1/x HTTP/1.1` plus the header `X-Coffer-Method: LIST`, which ``VaultResponder`` turns
/// back into a list operation. Other methods the parser does not know are carried the same way so
/// the responder can answer Vault's `405`. Everything else passes through untouched.
///
/// It buffers at most one head (``maxHeadSize``) or one chunk-size or trailer line (``maxLineSize``). Framing it
/// cannot follow (a chunk size that is not `[0-9A-Fa-f]+`, a bad `Content-Length`, an over-long line) switches
/// the connection to pass-through: from then on bytes go to the HTTP decoder unchanged, which rejects them.
final class ListMethodRewriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let markerHeader = "X-Coffer-Method"
    /// Methods the HTTP parser handles itself; any other token method (`LIST`, or something
    /// unknown that must get Vault's 405) is carried in the marker header.
    static let parserMethods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    ]

    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
    static let maxHeadSize = 256 * 1024
    /// A chunk-size line with its extensions, or one trailer line.
    static let maxLineSize = 8 * 1024

    enum State: Equatable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case trailers
        /// Framing this handler cannot follow: every later byte goes to the decoder as it came.
        case passthrough
    }

    private var state = State.head
    private var pending: [UInt8] = []
    /// How long a request head may take from its first byte to its blank line (a slow sender's connection is
    /// closed then, like Go's `ReadHeaderTimeout`); nil for no limit.
    private let headTimeout: TimeAmount?
    private var headDeadline: Scheduled<Void>?
    /// Until the first head arrives the deadline runs from the connection's start, so a client that connects
    /// and sends nothing is closed as one that sends too slowly.
    private var sawFirstHead = false

    init(headTimeout: TimeAmount? = nil) {
        self.headTimeout = headTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard var input = buffer.readBytes(length: buffer.readableBytes) else { return }
        var output: [UInt8] = []
        output.reserveCapacity(input.count + 32)
        var offset = 0
        while offset < input.count {
            switch state {
            case .passthrough:
                output.append(contentsOf: input[offset...])
                offset = input.count
            case .fixedBody(let remaining):
                let take = min(remaining, input.count - offset)
                output.append(contentsOf: input[offset..<(offset + take)])
                offset += take
                state = remaining - take == 0 ? .head : .fixedBody(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, input.count - offset)
                output.append(contentsOf: input[offset..<(offset + take)])
                offset += take
                state = remaining - take == 0 ? .chunkSize : .chunkData(remaining: remaining - take)
            case .head, .chunkSize, .trailers:
                // Line-oriented states: gather bytes up to the terminator, then decide. Only the head or
                // line is copied; a body that follows in the same read is left in `input`.
                let terminator: [UInt8]
                if case .head = state { terminator = [13, 10, 13, 10] } else { terminator = [13, 10] }
                let searchFrom = max(pending.count - 3, 0)
                let end = Self.find(terminator, in: input, from: offset) ?? input.count
                pending.append(contentsOf: input[offset..<end])
                offset = end
                guard let (consumed, complete) = processPending(from: searchFrom, &output) else { break }
                if complete {
                    let leftover = Array(pending[consumed...])
                    pending.removeAll(keepingCapacity: true)
                    if !leftover.isEmpty {
                        input = leftover + input[offset...]
                        offset = 0
                    }
                }
            }
        }
        if !output.isEmpty {
            context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: output)))
        }
        updateHeadDeadline(context: context)
    }

    func channelActive(context: ChannelHandlerContext) {
        updateHeadDeadline(context: context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { updateHeadDeadline(context: context) }
    }

    /// Runs the deadline while a head is partly received: started by its first byte (or, for the first
    /// request, by the connection), ended by its last.
    private func updateHeadDeadline(context: ChannelHandlerContext) {
        guard let headTimeout else { return }
        if case .head = state, !pending.isEmpty || !sawFirstHead {
            guard headDeadline == nil else { return }
            let channel = context.channel
            headDeadline = context.eventLoop.scheduleTask(in: headTimeout) { channel.close(promise: nil) }
        } else {
            headDeadline?.cancel()
            headDeadline = nil
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headDeadline?.cancel()
        headDeadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        headDeadline?.cancel()
        headDeadline = nil
        context.fireChannelInactive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    /// Index just past the first `terminator` in `bytes` at or after `start`.
    static func find(_ terminator: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + terminator.count <= bytes.count {
            if bytes[index] == terminator[0], bytes[index..<(index + terminator.count)].elementsEqual(terminator) {
                return index + terminator.count
            }
            index += 1
        }
        return nil
    }

    /// Index just past the first `terminator` in `pending` at or after `start`.
    private func find(_ terminator: [UInt8], from start: Int) -> Int? {
        guard pending.count >= terminator.count else { return nil }
        var index = start
        while index + terminator.count <= pending.count {
            if pending[index] == terminator[0], pending[index..<(index + terminator.count)].elementsEqual(terminator) {
                return index + terminator.count
            }
            index += 1
        }
        return nil
    }

    /// Handles one complete unit in `pending` (a head, a chunk-size line, a trailer line) if there
    /// is one: returns how many bytes it used, with `complete == true`; nil when more input is needed.
    private func processPending(from start: Int, _ output: inout [UInt8]) -> (Int, Bool)? {
        switch state {
        case .head:
            if pending.starts(with: [13, 10]) {
                // Blank lines between requests are allowed; pass them on.
                output.append(contentsOf: [13, 10])
                return (2, true)
            }
            if let end = find([13, 10, 13, 10], from: start) {
                emitHead(Array(pending[..<end]), &output)
                return (end, true)
            }
            if pending.count > Self.maxHeadSize { return passOn(&output) }
            return nil
        case .chunkSize:
            guard let end = find([13, 10], from: start) else {
                return pending.count > Self.maxLineSize ? passOn(&output) : nil
            }
            output.append(contentsOf: pending[..<end])
            let line = pending[..<(end - 2)]
            if line.isEmpty { return (end, true) }  // the CRLF that ends a chunk's data
            guard let size = Self.chunkSize(line) else {
                state = .passthrough
                return (end, true)
            }
            state = size == 0 ? .trailers : .chunkData(remaining: size)
            return (end, true)
        case .trailers:
            guard let end = find([13, 10], from: start) else {
                return pending.count > Self.maxLineSize ? passOn(&output) : nil
            }
            output.append(contentsOf: pending[..<end])
            if end == 2 { state = .head }
            return (end, true)
        default:
            return nil
        }
    }

    /// Gives up framing: what is buffered goes on unchanged, and so does everything after it.
    private func passOn(_ output: inout [UInt8]) -> (Int, Bool) {
        output.append(contentsOf: pending)
        state = .passthrough
        return (pending.count, true)
    }

    /// A chunk size as HTTP/1.1 defines it: hex digits, optional whitespace, then the end of the line or `;`
    /// and extensions. Nil for anything else (`-1`, `+5`, `-0`, empty) and for sizes of 16 digits or more,
    /// which could overflow.
    static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = hexValue(line[index]) {
            guard index - line.startIndex < 15 else { return nil }
            size = size << 4 | digit
            index += 1
        }
        guard index > line.startIndex else { return nil }
        while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        guard index == line.endIndex || line[index] == UInt8(ascii: ";") else { return nil }
        return size
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// A `Content-Length` value: decimal digits only, at most 18 of them so it fits an `Int`.
    static func contentLength(_ value: Substring) -> Int? {
        guard !value.isEmpty, value.utf8.count <= 18, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return Int(value)
    }

    private func emitHead(_ headBytes: [UInt8], _ output: inout [UInt8]) {
        sawFirstHead = true
        var head = headBytes
        let text = String(decoding: head, as: UTF8.self)
        var contentLength = 0
        var chunked = false
        var framingUnclear = false
        for line in text.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                if let length = Self.contentLength(Substring(value)) {
                    contentLength = length
                } else {
                    framingUnclear = true
                }
            }
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
        if framingUnclear {
            state = .passthrough
        } else if chunked {
            state = .chunkSize
        } else if contentLength > 0 {
            state = .fixedBody(remaining: contentLength)
        } else {
            state = .head
        }
    }
}
