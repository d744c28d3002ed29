import CofferSQLite
import CofferTesting
import Foundation
import Logging
import Synchronization
import Testing

@testable import CofferStorage

/// A fresh directory under the system temp dir, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    try await TemporaryDirectory.with(prefix: "coffer-storage", body)
}

let testLogger = Logger(label: "coffer.storage.tests")

/// The physical backends the shared contract tests run against.
enum PhysicalKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite, cachedSQLite, postgresql

    /// PostgreSQL only when the tests have a database (``PostgresTestDatabase``); PostgresPhysicalTests shows the
    /// skip otherwise.
    static var allCases: [PhysicalKind] {
        [.memory, .sqlite, .cachedSQLite] + (PostgresTestDatabase.isEnabled ? [.postgresql] : [])
    }

    var testDescription: String { rawValue }

    func withBackend(_ body: (any PhysicalStorage) async throws -> Void) async throws {
        switch self {
        case .memory:
            try await body(MemoryPhysical())
        case .postgresql:
            try await PostgresTestDatabase.withPhysical { physical, _ in try await body(physical) }
        case .sqlite, .cachedSQLite:
            try await withTemporaryDirectory { directory in
                let sqlite = try await SQLitePhysical.open(
                    path: directory.appendingPathComponent("coffer.db").path, logger: testLogger)
                do {
                    try await body(self == .sqlite ? sqlite : CachedPhysical(sqlite, capacity: 64))
                } catch {
                    try? await sqlite.close()
                    throw error
                }
                try await sqlite.close()
            }
        }
    }
}

/// Wraps a backend and counts the reads that reach it, to observe what a cache absorbs.
final class CountingPhysical: PhysicalStorage {
    let base = MemoryPhysical()
    private let reads = Mutex(0)

    var readCount: Int { reads.withLock { $0 } }

    func get(_ key: String) async throws -> [UInt8]? {
        reads.withLock { $0 += 1 }
        return try await base.get(key)
    }
    func put(_ key: String, value: [UInt8]) async throws { try await base.put(key, value: value) }
    func delete(_ key: String) async throws { try await base.delete(key) }
    func list(prefix: String) async throws -> [String] { try await base.list(prefix: prefix) }
    func transaction(_ operations: [StorageOperation]) async throws { try await base.transaction(operations) }
}

/// A backend whose writes wait until the test releases them, in any order; each write reaches the base
/// store when released (and then fails, with `failWrites`, as a write that landed but lost its answer).
final class GatedPhysical: PhysicalStorage {
    let base = MemoryPhysical()
    let failWrites: Bool
    private let gates = Mutex<[CheckedContinuation<Void, Never>?]>([])

    init(failWrites: Bool = false) { self.failWrites = failWrites }

    func waitForGatedWrites(_ count: Int) async {
        while gates.withLock({ $0.count }) < count { try? await Task.sleep(for: .milliseconds(1)) }
    }

    /// Lets the write that arrived `index`-th (from 0) proceed.
    func release(at index: Int) {
        let gate = gates.withLock { gates -> CheckedContinuation<Void, Never>? in
            defer { gates[index] = nil }
            return gates[index]
        }
        gate?.resume()
    }

    func get(_ key: String) async throws -> [UInt8]? { try await base.get(key) }
    func put(_ key: String, value: [UInt8]) async throws { try await transaction([.put(key: key, value: value)]) }
    func delete(_ key: String) async throws { try await transaction([.delete(key: key)]) }
    func list(prefix: String) async throws -> [String] { try await base.list(prefix: prefix) }
    func transaction(_ operations: [StorageOperation]) async throws {
        await withCheckedContinuation { continuation in gates.withLock { $0.append(continuation) } }
        try await base.transaction(operations)
        if failWrites { throw StorageError.backend("lost answer") }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in these bytes.
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
