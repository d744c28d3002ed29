import FuzzSupport
import NIOCore
import NIOEmbedded

@testable import CofferHTTP

// Input: one byte n (mod 8), then n cut bytes, then the raw bytes a client sends. The stream is written
// to `ListMethodRewriter` once whole and once in pieces cut where the cut bytes say; the handler frames
// requests across reads, so both runs must emit exactly the same bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRewriter(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let (plan, stream) = input.cutsAndStream()
    let whole = rewritten([stream])
    let split = rewritten(pieces(of: stream, cutAt: plan))
    fuzzCheck(
        whole == split,
        "output depends on how the stream was cut\n input: \(describe(stream))\n whole: \(describe(whole))\n split: \(describe(split))"
    )
    return 0
}

/// Everything the rewriter passes on when `reads` arrive one `channelRead` each.
func rewritten(_ reads: [[UInt8]]) -> [UInt8] {
    let channel = EmbeddedChannel(handler: ListMethodRewriter())
    var output: [UInt8] = []
    for read in reads {
        do {
            try channel.writeInbound(channel.allocator.buffer(bytes: read))
        } catch {
            fuzzCheck(false, "the rewriter raised \(error); it never rejects input itself")
        }
        while let buffer = try? channel.readInbound(as: ByteBuffer.self) {
            output.append(contentsOf: buffer.readableBytesView)
        }
    }
    _ = try? channel.finish()
    return output
}
