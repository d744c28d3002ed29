import Foundation
import Logging
import Synchronization

/// Revokes tokens when they expire, without scanning: a min-heap ordered by expiry time.
///
/// Stale heap entries (a token renewed after it was scheduled) are detected when popped by
/// asking the store for the token's current expiry.
///
/// ```swift
/// let manager = ExpirationManager(store: tokens, logger: logger)
/// await manager.restore()      // after unseal: schedule every stored expiring token
/// manager.start()
/// ```
///
/// A class with its heap under a mutex rather than an actor: every login schedules a token, and an actor
/// hop there cost a task switch per login under load.
public final class ExpirationManager: Sendable {
    struct Item: Comparable {
        var expireTime: Double
        var hash: TokenHash
        static func < (a: Item, b: Item) -> Bool { a.expireTime < b.expireTime }
    }

    /// A token hash as the heap keeps it: a store hash (64 lower-case hex digits) as 32 bytes inline, so the
    /// heap holds no string per token (it holds every expiring token); anything else as it came.
    enum TokenHash: Equatable {
        case digest(UInt64, UInt64, UInt64, UInt64)
        case other(String)

        init(_ text: String) {
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            var digits = 0
            for byte in text.utf8 {
                let value: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
                default: value = 0xFF
                }
                guard value != 0xFF, digits < 64 else {
                    self = .other(text)
                    return
                }
                switch digits / 16 {
                case 0: words.0 = words.0 << 4 | UInt64(value)
                case 1: words.1 = words.1 << 4 | UInt64(value)
                case 2: words.2 = words.2 << 4 | UInt64(value)
                default: words.3 = words.3 << 4 | UInt64(value)
                }
                digits += 1
            }
            self = digits == 64 ? .digest(words.0, words.1, words.2, words.3) : .other(text)
        }

        var text: String {
            switch self {
            case .other(let text): return text
            case .digest(let a, let b, let c, let d):
                var bytes: [UInt8] = []
                bytes.reserveCapacity(32)
                for word in [a, b, c, d] {
                    for shift in stride(from: 56, through: 0, by: -8) {
                        bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
                    }
                }
                return Hex.encode(bytes)
            }
        }
    }

    let store: TokenStore
    let logger: Logger
    private let heap = Mutex<[Item]>([])
    private let loop = Mutex<Task<Void, Never>?>(nil)
    private let clock: @Sendable () -> Double

    public init(
        store: TokenStore, logger: Logger, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.store = store
        self.logger = logger
        self.clock = clock
    }

    public var pendingCount: Int { heap.withLock { $0.count } }

    public func schedule(hash: String, expireTime: Double) {
        let item = Item(expireTime: expireTime, hash: TokenHash(hash))
        heap.withLock { Self.push(item, into: &$0) }
    }

    /// Schedules every persisted expiring token (after a restart).
    public func restore() async throws {
        let items = try await store.expiringTokens().map { Item(expireTime: $0.1, hash: TokenHash($0.0)) }
        heap.withLock { heap in
            for item in items { Self.push(item, into: &heap) }
        }
    }

    public func start() {
        loop.withLock { loop in
            guard loop == nil else { return }
            loop = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    let delay = await self.revokeDue()
                    // Clamped: a clock step or a far-future expiry must neither trap the conversion nor stall the loop.
                    try? await Task.sleep(nanoseconds: UInt64(min(max(delay, 0), 3600) * 1_000_000_000))
                }
            }
        }
    }

    public func stop() {
        loop.withLock { loop in
            loop?.cancel()
            loop = nil
        }
    }

    /// The earliest item if it is due at `now`, removed from the heap.
    private func popDue(_ now: Double) -> Item? {
        heap.withLock { heap in
            guard let first = heap.first, first.expireTime <= now else { return nil }
            Self.popFirst(&heap)
            return first
        }
    }

    /// Revokes everything due; returns how long to sleep (at most 250 ms so newly scheduled
    /// earlier expiries are picked up promptly).
    func revokeDue() async -> Double {
        let now = clock()
        while let first = popDue(now) {
            let hash = first.hash.text
            do {
                guard let entry = try await store.storedEntry(hash: hash) else { continue }
                if let current = entry.expireTime, current > now {
                    continue  // renewed since; its new expiry was scheduled separately
                }
                try await store.revokeTree(hash: hash)
            } catch {
                logger.error("failed to revoke an expired token; will retry", metadata: ["error": "\(error)"])
                schedule(hash: hash, expireTime: now + 5)
                break
            }
        }
        guard let next = heap.withLock({ $0.first }) else { return 0.25 }
        return min(max(next.expireTime - clock(), 0.01), 0.25)
    }

    // MARK: binary heap

    private static func push(_ item: Item, into heap: inout [Item]) {
        heap.append(item)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst(_ heap: inout [Item]) {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = parent * 2 + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left] < heap[smallest] { smallest = left }
            if right < heap.count, heap[right] < heap[smallest] { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
