import Testing

@testable import CofferStorage

@Suite struct CachedPhysicalTests {
    @Test func repeatedReadsAreServedFromTheCache() async throws {
        let backend = CountingPhysical()
        let cached = CachedPhysical(backend, capacity: 8)
        try await cached.put("k", value: [1])
        #expect(try await cached.get("k") == [1])
        #expect(try await cached.get("k") == [1])
        #expect(backend.readCount == 1)
    }

    @Test func missesAreCachedToo() async throws {
        let backend = CountingPhysical()
        let cached = CachedPhysical(backend, capacity: 8)
        #expect(try await cached.get("absent") == nil)
        #expect(try await cached.get("absent") == nil)
        #expect(backend.readCount == 1)
        try await cached.put("absent", value: [5])
        #expect(try await cached.get("absent") == [5])
    }

    @Test func writesInvalidate() async throws {
        let backend = CountingPhysical()
        let cached = CachedPhysical(backend, capacity: 8)
        try await cached.put("k", value: [1])
        _ = try await cached.get("k")
        try await cached.put("k", value: [2])
        #expect(try await cached.get("k") == [2])
        try await cached.delete("k")
        #expect(try await cached.get("k") == nil)
        try await cached.put("t", value: [1])
        _ = try await cached.get("t")
        try await cached.transaction([.put(key: "t", value: [3]), .put(key: "u", value: [4])])
        #expect(try await cached.get("t") == [3])
        #expect(try await cached.get("u") == [4])
    }

    @Test func aKeyCachedBeforeItsWriteTakesTheWrittenValueWithoutAReadBack() async throws {
        let backend = CountingPhysical()
        let cached = CachedPhysical(backend, capacity: 8)
        try await cached.put("k", value: [1])
        _ = try await cached.get("k")
        try await cached.transaction([.put(key: "k", value: [2]), .put(key: "fresh", value: [3])])
        #expect(try await cached.get("k") == [2])
        #expect(backend.readCount == 1)
        try await cached.delete("k")
        #expect(try await cached.get("k") == nil)
        #expect(backend.readCount == 1)
        // A key nobody read before its write is not cached by the write.
        #expect(try await cached.get("fresh") == [3])
        #expect(backend.readCount == 2)
    }

    /// Two writes of one key in flight at once: the backend decides which lands last, so neither may
    /// fill the cache — whatever order they finish in, the next read goes to the backend.
    @Test func overlappingWritesOfOneKeyLeaveItUncached() async throws {
        let backend = GatedPhysical()
        let cached = CachedPhysical(backend, capacity: 8)
        try await backend.base.put("k", value: [0])
        _ = try await cached.get("k")
        async let first: Void = cached.put("k", value: [1])
        await backend.waitForGatedWrites(1)
        async let second: Void = cached.put("k", value: [2])
        await backend.waitForGatedWrites(2)
        // The backend applies the first write last.
        backend.release(at: 1)
        try await second
        backend.release(at: 0)
        try await first
        #expect(try await cached.get("k") == [1])
    }

    @Test func aFailedWriteDropsTheKey() async throws {
        let backend = GatedPhysical(failWrites: true)
        let cached = CachedPhysical(backend, capacity: 8)
        try await backend.base.put("k", value: [0])
        _ = try await cached.get("k")
        let write = Task { try await cached.put("k", value: [1]) }
        await backend.waitForGatedWrites(1)
        backend.release(at: 0)
        await #expect(throws: StorageError.self) { try await write.value }
        #expect(try await cached.get("k") == [1])
    }

    @Test func invalidateAndPurgeDropChangesMadeBehindTheCache() async throws {
        let backend = CountingPhysical()
        let cached = CachedPhysical(backend, capacity: 8)
        try await cached.put("a", value: [1])
        try await cached.put("b", value: [1])
        _ = try await cached.get("a")
        _ = try await cached.get("b")
        // Another node wrote directly to the shared backend.
        try await backend.put("a", value: [2])
        try await backend.put("b", value: [2])
        #expect(try await cached.get("a") == [1])

        cached.invalidate("a")
        #expect(try await cached.get("a") == [2])
        #expect(try await cached.get("b") == [1])
        cached.purge()
        #expect(cached.count == 0)
        #expect(try await cached.get("b") == [2])
    }

    @Test func capacityBoundsTheCacheAndEvictsLeastRecentlyUsed() async throws {
        let backend = CountingPhysical()
        let cached = CachedPhysical(backend, capacity: 3)
        for key in ["a", "b", "c"] { try await backend.put(key, value: [0]) }
        for key in ["a", "b", "c"] { _ = try await cached.get(key) }
        _ = try await cached.get("a")  // a is now most recent; b is the oldest
        _ = try await cached.get("d")  // evicts b
        #expect(cached.count == 3)
        let readsBefore = backend.readCount
        _ = try await cached.get("a")
        _ = try await cached.get("c")
        #expect(backend.readCount == readsBefore)
        _ = try await cached.get("b")
        #expect(backend.readCount == readsBefore + 1)
    }

    @Test func barrierOverCacheStillDetectsNothingStale() async throws {
        let physical = MemoryPhysical()
        let cached = CachedPhysical(physical, capacity: 16)
        let barrier = Barrier(physical: cached)
        try await barrier.initialize(sealKey: .init(size: .bits256))
        try await barrier.put("k", value: [1])
        #expect(try await barrier.get("k") == [1])
        try await barrier.put("k", value: [2])
        #expect(try await barrier.get("k") == [2])
    }
}

@Suite struct LRUCacheTests {
    @Test func evictsTheLeastRecentlyUsedAndReusesSlots() {
        var cache = LRUCache<String, Int>(capacity: 2)
        cache.set("a", 1)
        cache.set("b", 2)
        #expect(cache.get("a") == 1)
        cache.set("c", 3)
        #expect(cache.get("b") == nil)
        #expect(cache.get("a") == 1)
        #expect(cache.get("c") == 3)
        cache.remove("a")
        #expect(cache.count == 1)
        cache.set("d", 4)
        cache.set("e", 5)  // evicts c, the older of c and d
        #expect(cache.get("c") == nil)
        #expect(cache.get("d") == 4)
        #expect(cache.get("e") == 5)
        cache.set("d", 40)
        #expect(cache.get("d") == 40)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(cache.get("d") == nil)
    }
}
