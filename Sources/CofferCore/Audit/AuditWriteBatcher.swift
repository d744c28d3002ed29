import NIOPosix
import Synchronization

/// Group commit for an audit sink (docs/audit.md § Performance): lines offered while a write is in flight are
/// queued, and the next thread-pool job hands all of them to `flush` as one buffer (one `write(2)`), then resumes
/// every writer of that batch with its outcome. A writer returns only after the flush that carried its line
/// returned, so an entry is written before the request goes on; a failed flush fails every writer of the batch.
/// Lines are appended whole, so batches never interleave entries.
///
/// ```swift
/// let batcher = AuditWriteBatcher(pool: .singleton)
/// try await batcher.write(Array("{…}\n".utf8)) { bytes in try writeAll(fd, bytes) }   // runs on the pool
/// ```
final class AuditWriteBatcher: Sendable {
    /// A flush job: takes the queued bytes; runs on the thread pool, may block.
    typealias Flush = @Sendable ([UInt8]) throws -> Void

    private struct Queue {
        var bytes: [UInt8] = []
        var writers: [CheckedContinuation<Void, any Error>] = []
        /// Whether a flush job is submitted or running; only one at a time, so batches stay in order.
        var flushing = false
    }

    private let queue = Mutex(Queue())
    private let pool: NIOThreadPool

    init(pool: NIOThreadPool) {
        self.pool = pool
    }

    static let poolStoppedError = AuditSinkError(description: "the I/O thread pool is not running")

    /// Queues `line` and returns once a `flush` carrying it returned; throws what that flush threw. Every caller of
    /// one batcher passes the same `flush` (the batch is written by whichever job runs next).
    func write(_ line: [UInt8], flush: @escaping Flush) async throws {
        try await withCheckedThrowingContinuation { (writer: CheckedContinuation<Void, any Error>) in
            let start = queue.withLock { queue -> Bool in
                queue.bytes.append(contentsOf: line)
                queue.writers.append(writer)
                guard !queue.flushing else { return false }
                queue.flushing = true
                return true
            }
            if start { submit(flush) }
        }
    }

    private func submit(_ flush: @escaping Flush) {
        pool.submit { state in self.flushBatches(flush, poolRunning: state == .active) }
    }

    /// Under steady load the job keeps flushing what queued meanwhile (no thread wake-up per batch), up to
    /// `batchesPerJob`; then it resubmits itself, so other work on the shared pool gets its turn.
    private func flushBatches(_ flush: @escaping Flush, poolRunning: Bool) {
        for _ in 0..<Self.batchesPerJob {
            let (bytes, writers) = queue.withLock { queue in
                defer {
                    queue.bytes = []
                    queue.writers = []
                }
                return (queue.bytes, queue.writers)
            }
            let outcome: Result<Void, any Error> =
                poolRunning ? Result { try flush(bytes) } : .failure(Self.poolStoppedError)
            for writer in writers { writer.resume(with: outcome) }
            let more = queue.withLock { queue -> Bool in
                queue.flushing = !queue.writers.isEmpty
                return queue.flushing
            }
            if !more { return }
        }
        // A stopped pool runs the job inline with `.cancelled`, which fails the rest the same way.
        submit(flush)
    }

    static let batchesPerJob = 32
}
