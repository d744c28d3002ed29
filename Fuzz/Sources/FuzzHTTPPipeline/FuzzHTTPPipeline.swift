import FuzzSupport
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

@testable import CofferHTTP

// Input: as FuzzHTTPRewriter's (n, n cut bytes, then the client's bytes), written in pieces through the
// server's HTTP/1 pipeline: `ListMethodRewriter`, NIO's HTTP decoder (llhttp) configured as Hummingbird's
// HTTP1Channel configures it, and the HTTPTypes codec. A decoder error ends the connection, as in the
// server. When the client never sent the marker header itself, every marker must have been added by the
// rewriter to a request head it agreed on with llhttp: such a head is a GET, and no request body carries
// the marker (that would mean the rewriter took body bytes for a head: the two framings disagree).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPPipeline(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let (plan, stream) = input.cutsAndStream()
    let parts = decodedParts(pieces(of: stream, cutAt: plan))
    guard !containsMarker(stream) else { return 0 }
    for part in parts {
        switch part {
        case .head(let head):
            if head.headerFields[markerName] != nil {
                fuzzCheck(head.method == .get, "marked request is \(head.method)\n input: \(describe(stream))")
            }
        case .body(let body):
            fuzzCheck(
                !containsMarker(Array(body.readableBytesView)),
                "a request body carries the rewriter's marker\n input: \(describe(stream))")
        case .end:
            break
        }
    }
    return 0
}

let markerName = HTTPField.Name(ListMethodRewriter.markerHeader)!
let markerBytes = Array(ListMethodRewriter.markerHeader.lowercased().utf8)

/// Whether `bytes` contain the marker header's name in any letter case.
func containsMarker(_ bytes: [UInt8]) -> Bool {
    guard bytes.count >= markerBytes.count else { return false }
    for start in 0...(bytes.count - markerBytes.count) {
        var index = 0
        while index < markerBytes.count, lowercased(bytes[start + index]) == markerBytes[index] { index += 1 }
        if index == markerBytes.count { return true }
    }
    return false
}

func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }

/// The request parts the server's handlers would see when `reads` arrive one `channelRead` each.
func decodedParts(_ reads: [[UInt8]]) -> [HTTPRequestPart] {
    let channel = EmbeddedChannel()
    do {
        try channel.pipeline.syncOperations.addHandler(ListMethodRewriter())
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: .init())
        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
    } catch {
        fuzzCheck(false, "pipeline setup failed: \(error)")
    }
    var parts: [HTTPRequestPart] = []
    reading: for read in reads {
        do {
            try channel.writeInbound(channel.allocator.buffer(bytes: read))
        } catch {
            break reading  // the decoder refused the stream; the server closes the connection here
        }
        while let part = try? channel.readInbound(as: HTTPRequestPart.self) { parts.append(part) }
    }
    while let part = try? channel.readInbound(as: HTTPRequestPart.self) { parts.append(part) }
    _ = try? channel.finish()
    return parts
}
