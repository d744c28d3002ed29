/// A bounded least-recently-used map: a dictionary into a doubly linked list kept in an array,
/// so hits and evictions are O(1) without per-entry allocations. Not thread-safe; callers lock. Used by
/// ``CachedPhysical`` and by the core's token entry cache.
///
/// ```swift
/// var cache = LRUCache<String, Int>(capacity: 2)
/// cache.set("a", 1); cache.set("b", 2); _ = cache.get("a"); cache.set("c", 3)  // evicts "b"
/// ```
public struct LRUCache<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    public let capacity: Int
    private var nodes: [Node] = []
    private var index: [Key: Int] = [:]
    private var free: [Int] = []
    private var newest: Int?
    private var oldest: Int?

    /// A capacity below 1 means 1: sizes come from configuration, and no setting may crash the server.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { index.count }

    /// The cached value, marking it most recently used.
    public mutating func get(_ key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToNewest(slot)
        return nodes[slot].value
    }

    public mutating func set(_ key: Key, _ value: Value) {
        if let slot = index[key] {
            nodes[slot].value = value
            moveToNewest(slot)
            return
        }
        if index.count >= capacity, let oldest { remove(slot: oldest) }
        let node = Node(key: key, value: value, newer: nil, older: newest)
        let slot: Int
        if let reused = free.popLast() {
            nodes[reused] = node
            slot = reused
        } else {
            nodes.append(node)
            slot = nodes.count - 1
        }
        if let newest { nodes[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
        index[key] = slot
    }

    public mutating func remove(_ key: Key) {
        if let slot = index[key] { remove(slot: slot) }
    }

    /// Whether `key` is cached, without marking it used.
    public func contains(_ key: Key) -> Bool { index[key] != nil }

    public mutating func removeAll() {
        self = LRUCache(capacity: capacity)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (nodes[slot].newer, nodes[slot].older)
        if let newer { nodes[newer].older = older } else { newest = older }
        if let older { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = nil
        nodes[slot].older = nil
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        nodes[slot].older = newest
        if let newest { nodes[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func remove(slot: Int) {
        unlink(slot)
        index[nodes[slot].key] = nil
        free.append(slot)
    }
}
