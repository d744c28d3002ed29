import Foundation
import Logging
import Synchronization

/// Revokes tokens when they expire, reading the persisted expiration index (``ExpiryIndexKey``) a bucket at a
/// time, so neither unseal nor memory grows with the number of stored tokens (docs/expiration.md).
///
/// At unseal ``restore()`` lists only the bucket markers (one per minute that has expiring tokens). A bucket's
/// entries are listed shortly before its first token can expire, and its tokens go into a min-heap by exact
/// expiry; tokens created or renewed into a bucket already listed are pushed by ``schedule(hash:expireTime:)``.
/// Due tokens are revoked at most ``batchSize`` per step, ``concurrency`` at a time, so a burst of expiries
/// never holds up requests; lookups refuse an expired token before its revocation runs anyway. Once a
/// bucket's time has passed and the heap holds nothing of it, the bucket is listed again (a crash or a
/// failed revocation may have left entries), what is left is settled, and its marker is deleted.
///
/// ```swift
/// let manager = ExpirationManager(store: tokens, logger: logger)
/// try await manager.restore()      // after unseal: reads the bucket markers only
/// manager.start()
/// ```
///
/// A class with its state under a mutex rather than an actor: every login schedules a token, and an actor
/// hop there cost a task switch per login under load.
public final class ExpirationManager: Sendable {
    struct Item: Comparable {
        var expireTime: Double
        var hash: TokenHash
        static func < (a: Item, b: Item) -> Bool { a.expireTime < b.expireTime }
    }

    /// What is held in memory: the listed tokens and the buckets not listed yet.
    struct Schedule {
        /// Min-heap of tokens in listed buckets, by exact expiry.
        var due: [Item] = []
        /// Min-heap of buckets with stored entries that are not listed yet, and the same as a set.
        var buckets: [Int64] = []
        var bucketSet: Set<Int64> = []
        /// Every bucket up to this one is listed: a token scheduled into it goes straight to `due`.
        var listedThrough = Int64.min
        /// Listed buckets whose final sweep is still to come, oldest first.
        var unswept: [Int64] = []
        /// Expiring tokens per bucket not listed yet, and their sum: counted for `vault.expire.num_leases`
        /// without holding the tokens. Buckets restored at unseal are counted when they are listed: counting
        /// them at unseal would read every entry (and, through SQLite, hold a bucket's rows at once).
        var unlistedCounts: [Int64: Int] = [:]
        var unlistedTotal = 0

        mutating func addUnlisted(_ bucket: Int64, _ count: Int) {
            let current = unlistedCounts[bucket, default: 0]
            let updated = max(0, current + count)
            unlistedCounts[bucket] = updated
            unlistedTotal += updated - current
        }
    }

    /// Tokens revoked per step.
    static let batchSize = 256
    /// Revocations running at once.
    static let concurrency = 4
    /// A bucket is listed this long before its earliest possible expiry.
    static let lookahead: Double = 30
    /// No further bucket is listed while this many tokens are in memory (after a long downtime, say).
    static let memoryLimit = 65_536

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
    private let state = Mutex(Schedule())
    private let loop = Mutex<Task<Void, Never>?>(nil)
    private let clock: @Sendable () -> Double

    public init(
        store: TokenStore, logger: Logger, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.store = store
        self.logger = logger
        self.clock = clock
        // Without a stored index every expiry is scheduled in memory as it is written (in-memory storage).
        if !store.indexesExpiry { state.withLock { $0.listedThrough = .max } }
    }

    /// Expiring tokens: those held in memory (listed buckets) and those scheduled by this process into buckets
    /// not listed yet (stored ones from before the unseal join when their bucket is listed).
    public var pendingCount: Int { state.withLock { $0.due.count + $0.unlistedTotal } }

    /// Buckets known to hold expiring tokens that are not listed yet.
    var unlistedBucketCount: Int { state.withLock { $0.buckets.count } }

    /// Told by the store after a token with an expiry was written (its index entry is already stored).
    public func schedule(hash: String, expireTime: Double) {
        guard let index = ExpiryIndexKey(expireTime: expireTime, hash: hash) else { return }
        state.withLock { state in
            if index.bucket <= state.listedThrough {
                Self.push(Item(expireTime: expireTime, hash: TokenHash(hash)), into: &state.due)
                // A bucket swept already got its marker back with this token: sweep it again.
                if store.indexesExpiry, !state.unswept.contains(index.bucket) {
                    state.unswept.insert(
                        index.bucket, at: state.unswept.firstIndex { $0 > index.bucket } ?? state.unswept.endIndex)
                }
            } else {
                if state.bucketSet.insert(index.bucket).inserted { Self.push(index.bucket, into: &state.buckets) }
                state.addUnlisted(index.bucket, 1)
            }
        }
    }

    /// Told by the store that a token's expiry no longer applies (renewed or revoked): only the count changes;
    /// a listed token's heap item is skipped when it comes due.
    public func dropped(hash: String, expireTime: Double) {
        guard let index = ExpiryIndexKey(expireTime: expireTime, hash: hash) else { return }
        state.withLock { state in
            if index.bucket > state.listedThrough { state.addUnlisted(index.bucket, -1) }
        }
    }

    /// Learns which buckets hold expiring tokens (after unseal): lists the bucket markers only.
    public func restore() async throws {
        let buckets = try await store.expiryBuckets()
        state.withLock { state in
            for bucket in buckets where bucket > state.listedThrough && state.bucketSet.insert(bucket).inserted {
                Self.push(bucket, into: &state.buckets)
            }
        }
    }

    public func start() {
        loop.withLock { loop in
            guard loop == nil else { return }
            loop = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    let delay = await self.revokeDue()
                    if delay <= 0 {
                        await Task.yield()
                        continue
                    }
                    // Clamped: a clock step or a far-future expiry must neither trap the conversion nor stall the loop.
                    try? await Task.sleep(nanoseconds: UInt64(min(delay, 3600) * 1_000_000_000))
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

    /// One step: lists the buckets coming due, revokes up to ``batchSize`` due tokens, sweeps a finished
    /// bucket. Returns how long to wait before the next step: 0 when more is due now, else at most 250 ms so
    /// newly scheduled earlier expiries are picked up promptly.
    func revokeDue() async -> Double {
        let now = clock()
        await listComingBuckets(now)
        let due = popDue(now)
        await revoke(due, now: now)
        if due.count == Self.batchSize { return 0 }
        if await sweep(now) { return 0 }
        let next = state.withLock { state -> Double in
            var next = now + 0.25
            if let first = state.due.first { next = min(next, first.expireTime) }
            if let bucket = state.buckets.first {
                next = min(next, Double(bucket - ExpiryIndexKey.bucketSeconds) - Self.lookahead)
            }
            if let bucket = state.unswept.first { next = min(next, Double(bucket)) }
            return next
        }
        return min(max(next - clock(), 0.01), 0.25)
    }

    /// Lists every bucket whose earliest expiry is within ``lookahead`` of `now` (while memory allows) and
    /// puts its tokens in the heap. `listedThrough` moves before the listing, so a token written during it is
    /// either in the listing or pushed by ``schedule(hash:expireTime:)``.
    private func listComingBuckets(_ now: Double) async {
        while let bucket = nextBucketToList(now) {
            do {
                let entries = try await store.expiryIndex(bucket: bucket)
                state.withLock { state in
                    for index in entries {
                        Self.push(Item(expireTime: index.expireTime, hash: TokenHash(index.hash)), into: &state.due)
                    }
                }
            } catch {
                // The bucket's sweep lists it again once its time has passed.
                logger.error("failed to list expiring tokens; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    private func nextBucketToList(_ now: Double) -> Int64? {
        state.withLock { state -> Int64? in
            guard let bucket = state.buckets.first,
                Double(bucket - ExpiryIndexKey.bucketSeconds) - Self.lookahead <= now,
                state.due.count < Self.memoryLimit
            else { return nil }
            Self.popFirst(&state.buckets)
            state.bucketSet.remove(bucket)
            state.unlistedTotal -= state.unlistedCounts.removeValue(forKey: bucket) ?? 0
            state.listedThrough = max(state.listedThrough, bucket)
            state.unswept.append(bucket)
            return bucket
        }
    }

    /// Up to ``batchSize`` items due at `now`, removed from the heap.
    private func popDue(_ now: Double) -> [Item] {
        state.withLock { state in
            var items: [Item] = []
            while items.count < Self.batchSize, let first = state.due.first, first.expireTime <= now {
                Self.popFirst(&state.due)
                items.append(first)
            }
            return items
        }
    }

    /// Revokes `items`, ``concurrency`` at a time. A token renewed since it was listed is skipped: its new
    /// expiry was scheduled separately.
    private func revoke(_ items: [Item], now: Double) async {
        await withTaskGroup(of: Void.self) { group in
            var pending = items.makeIterator()
            func addNext() {
                guard let item = pending.next() else { return }
                let hash = item.hash.text
                group.addTask { await self.revoke(hash, now: now) }
            }
            for _ in 0..<Self.concurrency { addNext() }
            while await group.next() != nil { addNext() }
        }
    }

    private func revoke(_ hash: String, now: Double) async {
        do {
            guard let entry = try await store.storedEntry(hash: hash), let current = entry.expireTime else { return }
            guard current <= now else { return }
            try await store.revokeTree(hash: hash)
        } catch {
            logger.error("failed to revoke an expired token; will retry", metadata: ["error": "\(error)"])
            state.withLock { Self.push(Item(expireTime: now + 5, hash: TokenHash(hash)), into: &$0.due) }
        }
    }

    /// Settles what is left in the oldest listed bucket once its time has passed and the heap holds none of its
    /// tokens, a batch per step; deletes its marker when nothing is left. Returns whether more is left now.
    private func sweep(_ now: Double) async -> Bool {
        let bucket = state.withLock { state -> Int64? in
            guard let bucket = state.unswept.first, Double(bucket) <= now else { return nil }
            if let first = state.due.first, first.expireTime <= Double(bucket) { return nil }
            return bucket
        }
        guard let bucket else { return false }
        do {
            let left = try await store.expiryIndex(bucket: bucket)
            var unsettled = left.count > Self.batchSize
            for index in left.prefix(Self.batchSize) {
                if case .notDue(let expireTime) = try await store.settle(index, now: now) {
                    state.withLock {
                        Self.push(Item(expireTime: expireTime, hash: TokenHash(index.hash)), into: &$0.due)
                    }
                    unsettled = true
                }
            }
            guard !unsettled else { return left.count > Self.batchSize }
            try await store.deleteExpiryMarker(bucket: bucket)
            state.withLock { state in state.unswept.removeAll { $0 == bucket } }
        } catch {
            logger.error("failed to sweep expired tokens; will retry", metadata: ["error": "\(error)"])
        }
        return false
    }

    // MARK: binary heap

    private static func push<Element: Comparable>(_ item: Element, into heap: inout [Element]) {
        heap.append(item)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst<Element: Comparable>(_ heap: inout [Element]) {
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
