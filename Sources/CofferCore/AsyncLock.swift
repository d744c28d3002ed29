/// A FIFO async mutex: serialises admin changes (mount table, policy writes) without blocking threads.
///
/// ```swift
/// let lock = AsyncLock()
/// try await lock.withLock { try await persistMountTable() }
/// ```
public actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    private func acquire() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    public func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}

/// Serialises work per key (e.g. one entity creation per alias) while different keys run in parallel.
public actor KeyedAsyncLock {
    private var locks: [String: (lock: AsyncLock, users: Int)] = [:]

    public init() {}

    private func checkout(_ key: String) -> AsyncLock {
        var entry = locks[key] ?? (AsyncLock(), 0)
        entry.users += 1
        locks[key] = entry
        return entry.lock
    }

    private func checkin(_ key: String) {
        guard var entry = locks[key] else { return }
        entry.users -= 1
        locks[key] = entry.users == 0 ? nil : entry
    }

    public func withLock<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async rethrows -> T {
        let lock = checkout(key)
        defer { checkin(key) }
        return try await lock.withLock(body)
    }
}
