import Synchronization

/// Async mutual exclusion per key: callers for one key (a KV path, an identity alias) queue in
/// FIFO order while callers for other keys proceed, so no store needs one global lock.
/// Entries exist only while a key is held, so the table does not grow with the key space.
///
/// ```swift
/// let locks = KeyedAsyncLock()
/// try await locks.withLock("app/db") { try await writeNextVersion() }
/// ```
public final class KeyedAsyncLock: Sendable {
    private struct Entry {
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// A key is locked exactly when it has an entry.
    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    public func withLock<T>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await lock(key)
        defer { unlock(key) }
        return try await body()
    }

    private func lock(_ key: String) async {
        let acquired = entries.withLock { entries -> Bool in
            guard entries[key] == nil else { return false }
            entries[key] = Entry()
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // The holder may have released between the fast path and here: re-check.
            let acquiredNow = entries.withLock { entries -> Bool in
                guard entries[key] != nil else {
                    entries[key] = Entry()
                    return true
                }
                entries[key]!.waiters.append(continuation)
                return false
            }
            if acquiredNow { continuation.resume() }
        }
    }

    /// Hands the key straight to the longest waiter so nobody barges in between.
    private func unlock(_ key: String) {
        let next = entries.withLock { entries -> CheckedContinuation<Void, Never>? in
            guard var entry = entries[key], !entry.waiters.isEmpty else {
                entries[key] = nil
                return nil
            }
            let first = entry.waiters.removeFirst()
            entries[key] = entry
            return first
        }
        next?.resume()
    }
}
