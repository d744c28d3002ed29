import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Reads a Hummingbird ``ResponseBody`` that never went over the wire (a responder's answer in a unit test).
///
/// ```swift
/// let bytes = try await ResponseBodyCollector.bytes(of: response.body)
/// ```
struct ResponseBodyCollector: ResponseBodyWriter {
    final class Sink: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    let sink: Sink

    static func bytes(of body: ResponseBody) async throws -> [UInt8] {
        let sink = Sink()
        try await body.write(ResponseBodyCollector(sink: sink))
        return sink.bytes.withLock { $0 }
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        sink.bytes.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
