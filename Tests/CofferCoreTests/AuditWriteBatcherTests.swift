import Crypto
import Foundation
import NIOPosix
import Synchronization
import Testing

@testable import CofferCore

/// Group commit of audit lines (docs/audit.md § Performance): every writer returns only after a flush carried its
/// whole line, lines queued during a flush share the next one, and a failed flush fails every writer it carried.
@Suite struct AuditWriteBatcherTests {
    /// What the flushes saw, in order.
    final class Recorder: Sendable {
        let batches = Mutex<[[UInt8]]>([])
        /// The first flush waits on this until the test opens it, so later lines queue up behind it.
        let gate = DispatchSemaphore(value: 0)

        func flush(_ bytes: [UInt8], failAfterFirst: Bool) throws {
            let index = batches.withLock { batches in
                batches.append(bytes)
                return batches.count - 1
            }
            if index == 0 { gate.wait() }
            if failAfterFirst, index > 0 { throw AuditSinkError(description: "disk full") }
        }

        var text: String { batches.withLock { String(decoding: $0.joined(), as: UTF8.self) } }
        var count: Int { batches.withLock { $0.count } }
    }

    static func withPool(_ body: (NIOThreadPool) async throws -> Void) async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        do {
            try await body(pool)
        } catch {
            try await pool.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()
    }

    /// Writes `first`, then `count` more lines while the first flush is held, then releases it.
    static func writeBehindAHeldFlush(
        _ batcher: AuditWriteBatcher, _ recorder: Recorder, count: Int, failAfterFirst: Bool
    ) async -> (first: Bool, others: [Int: Bool]) {
        let flush: AuditWriteBatcher.Flush = { try recorder.flush($0, failAfterFirst: failAfterFirst) }
        let first = Task { (try? await batcher.write(Array("first\n".utf8), flush: flush)) != nil }
        while recorder.count == 0 { try? await Task.sleep(for: .milliseconds(5)) }
        let others = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<count {
                group.addTask {
                    let line = Array("line-\(index)-\(String(repeating: "x", count: 100))\n".utf8)
                    let ok = (try? await batcher.write(line, flush: flush)) != nil
                    // Returned: the flush that carried the line has already seen all of it.
                    if ok { #expect(recorder.text.contains(String(decoding: line, as: UTF8.self))) }
                    return (index, ok)
                }
            }
            try? await Task.sleep(for: .milliseconds(300))
            recorder.gate.signal()
            var results: [Int: Bool] = [:]
            for await (index, ok) in group { results[index] = ok }
            return results
        }
        return (await first.value, others)
    }

    @Test func linesQueuedDuringAFlushShareTheNextOneAndComeOutWhole() async throws {
        try await Self.withPool { pool in
            let batcher = AuditWriteBatcher(pool: pool)
            let recorder = Recorder()
            let (first, others) = await Self.writeBehindAHeldFlush(batcher, recorder, count: 50, failAfterFirst: false)
            #expect(first)
            #expect(others.count == 50 && others.values.allSatisfy { $0 })
            let lines = recorder.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 51)
            #expect(Set(lines).count == 51)
            #expect(lines.allSatisfy { $0 == "first" || ($0.hasPrefix("line-") && $0.hasSuffix("x")) })
            // Fifty writers, but the ones queued behind the held flush went out together.
            #expect(recorder.count < 51)
            #expect(recorder.batches.withLock { $0.allSatisfy { $0.last == UInt8(ascii: "\n") } })
        }
    }

    @Test func aFailedFlushFailsEveryWriterItCarried() async throws {
        try await Self.withPool { pool in
            let batcher = AuditWriteBatcher(pool: pool)
            let recorder = Recorder()
            let (first, others) = await Self.writeBehindAHeldFlush(batcher, recorder, count: 20, failAfterFirst: true)
            #expect(first)
            #expect(others.count == 20)
            #expect(others.values.allSatisfy { !$0 }, "every line after the first went in a failing flush")
        }
    }

    @Test func aStoppedPoolFailsTheWriteInsteadOfHanging() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        try await pool.shutdownGracefully()
        let batcher = AuditWriteBatcher(pool: pool)
        await #expect(throws: AuditSinkError.self) { try await batcher.write(Array("x\n".utf8)) { _ in } }
    }

    @Test func deviceHashIsHMACSHA256UnderTheSalt() throws {
        let entry = AuditDeviceEntry(
            path: "file/", type: "file", description: "", options: [:], local: false, uuid: "u")
        let device = AuditDevice(
            entry: entry, format: try AuditFormatOptions([:]), salt: "salt-1",
            sink: FileAuditSink(destination: .discard))
        for value in ["hvs.a", "", "é\u{2028}", String(repeating: "z", count: 500)] {
            let mac = HMAC<SHA256>.authenticationCode(
                for: Array(value.utf8), using: SymmetricKey(data: Array("salt-1".utf8)))
            #expect(device.hash(value) == "hmac-sha256:" + mac.map { String(format: "%02x", $0) }.joined())
        }
    }
}
