import NIOCore
import NIOEmbedded
import Testing

@testable import CofferHTTP

@Suite struct ListMethodRewriterTests {
    func run(_ chunks: [String]) throws -> String {
        let channel = EmbeddedChannel(handler: ListMethodRewriter())
        for chunk in chunks {
            try channel.writeInbound(channel.allocator.buffer(string: chunk))
        }
        var output = ""
        while var buffer = try channel.readInbound(as: ByteBuffer.self) {
            output += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        _ = try channel.finish()
        return output
    }

    @Test func listRequestLineBecomesGetWithMarker() throws {
        let output = try run(["LIST /v1/secret/metadata HTTP/1.1\r\nHost: x\r\n\r\n"])
        #expect(output == "GET /v1/secret/metadata HTTP/1.1\r\nX-Coffer-Method: LIST\r\nHost: x\r\n\r\n")
    }

    @Test func otherMethodsPassThroughUnchanged() throws {
        let request = "GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(try run([request]) == request)
    }

    @Test func bodiesThatLookLikeListAreNeverRewritten() throws {
        let body = "LIST /v1/evil HTTP/1.1\r\n\r\n"
        let post = "POST /v1/a HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let next = "LIST /v1/b HTTP/1.1\r\n\r\n"
        let output = try run([post, body, next])
        #expect(output == post + body + "GET /v1/b HTTP/1.1\r\nX-Coffer-Method: LIST\r\n\r\n")
    }

    @Test func chunkedBodiesAreFollowedToTheNextRequest() throws {
        let post = "POST /v1/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        let chunks = "5\r\nLIST \r\n0\r\n\r\n"
        let next = "LIST /v1/c HTTP/1.1\r\n\r\n"
        // Split at awkward places to exercise the state machine.
        let all = post + chunks + next
        let pieces = stride(from: 0, to: all.count, by: 7).map { start -> String in
            let from = all.index(all.startIndex, offsetBy: start)
            let to = all.index(from, offsetBy: min(7, all.distance(from: from, to: all.endIndex)))
            return String(all[from..<to])
        }
        #expect(try run(pieces) == post + chunks + "GET /v1/c HTTP/1.1\r\nX-Coffer-Method: LIST\r\n\r\n")
    }
}

@Suite struct UnknownMethodTests {
    @Test func unknownTokenMethodsAreCarriedInTheMarker() throws {
        let channel = EmbeddedChannel(handler: ListMethodRewriter())
        try channel.writeInbound(channel.allocator.buffer(string: "BREW /v1/x HTTP/1.1\r\n\r\n"))
        var buffer = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(
            buffer.readString(length: buffer.readableBytes) == "GET /v1/x HTTP/1.1\r\nX-Coffer-Method: BREW\r\n\r\n")
        _ = try channel.finish()
    }
}

/// Issue 10 reproductions 2 and 3: chunk framing the rewriter cannot follow is passed on, never trapped on or
/// buffered without bound.
@Suite struct HostileFramingTests {
    func run(_ chunks: [[UInt8]]) throws -> [UInt8] {
        let channel = EmbeddedChannel(handler: ListMethodRewriter())
        var output: [UInt8] = []
        for chunk in chunks {
            try channel.writeInbound(channel.allocator.buffer(bytes: chunk))
            while var buffer = try channel.readInbound(as: ByteBuffer.self) {
                output += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        }
        _ = try channel.finish()
        return output
    }

    static let chunkedHead = "POST /v1/sys/capabilities-self HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"

    @Test(arguments: ["-1", "+5", "-0", "0x5", " 5", "FFFFFFFFFFFFFFFFF", "99999999999999999999", "", "5 x", "g"])
    func aChunkSizeThatIsNotHexPassesEverythingOnUnchanged(size: String) throws {
        let rest = "\(size)\r\nA\r\nLIST /v1/x HTTP/1.1\r\n\r\n"
        let input = Array((Self.chunkedHead + rest).utf8)
        // Only request heads are ever rewritten, and none of this is followed as one.
        #expect(try run([input]) == input, "size \(size)")
    }

    @Test func chunkExtensionsAndUpperCaseHexAreFollowed() throws {
        let body = "A;name=value\r\n0123456789\r\n0\r\n\r\n"
        let next = "LIST /v1/c HTTP/1.1\r\n\r\n"
        let output = try run([Array((Self.chunkedHead + body + next).utf8)])
        #expect(
            String(decoding: output, as: UTF8.self).hasSuffix("GET /v1/c HTTP/1.1\r\nX-Coffer-Method: LIST\r\n\r\n"))
    }

    @Test func anEndlessChunkSizeLineIsNotBuffered() throws {
        var pieces: [[UInt8]] = [Array(Self.chunkedHead.utf8), Array("5;".utf8)]
        for _ in 0..<64 { pieces.append([UInt8](repeating: UInt8(ascii: "a"), count: 16 * 1024)) }
        let output = try run(pieces)
        // Everything past the 8 KiB line limit reached the decoder as it came: nothing is held back.
        #expect(output.count == pieces.reduce(0) { $0 + $1.count })
    }

    @Test func anEndlessTrailerLineIsNotBuffered() throws {
        var pieces: [[UInt8]] = [Array((Self.chunkedHead + "0\r\nX-Trailer: ").utf8)]
        for _ in 0..<64 { pieces.append([UInt8](repeating: UInt8(ascii: "b"), count: 16 * 1024)) }
        let output = try run(pieces)
        #expect(output.count == pieces.reduce(0) { $0 + $1.count })
    }

    @Test(arguments: ["-5", "+5", "5x", "99999999999999999999", ""])
    func aContentLengthThatIsNotDecimalPassesEverythingOn(length: String) throws {
        let input = Array("POST /v1/a HTTP/1.1\r\nContent-Length: \(length)\r\n\r\nLIST /v1/x HTTP/1.1\r\n\r\n".utf8)
        #expect(try run([input]) == input)
    }

    @Test func chunkSizeParsing() {
        #expect(ListMethodRewriter.chunkSize(Array("1f".utf8)[...]) == 31)
        #expect(ListMethodRewriter.chunkSize(Array("1F ;x=y".utf8)[...]) == 31)
        #expect(ListMethodRewriter.chunkSize(Array("fffffffffffffff".utf8)[...]) == 0xfff_ffff_ffff_ffff)
        #expect(ListMethodRewriter.chunkSize(Array("1000000000000000".utf8)[...]) == nil)
        #expect(ListMethodRewriter.chunkSize(Array("-1".utf8)[...]) == nil)
    }
}
