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
