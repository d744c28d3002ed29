import CofferStorage
import Testing

/// MemoryPhysical lists from per-folder child sets; these check it against listings derived from all keys
/// in byte order (what SQLite does), across folder creation and removal.
@Suite struct MemoryPhysicalIndexTests {
    @Test func manyKeysStayOrderedAcrossDeletes() async throws {
        let physical = MemoryPhysical()
        let names = (0..<3000).map { index in "k" + String(100_000 + (index * 7919) % 3000).dropFirst() }
        for name in names { try await physical.put("dir/" + name, value: Array(name.utf8)) }
        #expect(try await physical.list(prefix: "dir/") == names.sorted())
        for name in names where name.hasSuffix("3") { try await physical.delete("dir/" + name) }
        let remaining = names.filter { !$0.hasSuffix("3") }.sorted()
        #expect(try await physical.list(prefix: "dir/") == remaining)
        #expect(try await physical.get("dir/k00013") == nil)
        #expect(try await physical.get("dir/k00012") == Array("k00012".utf8))
        for name in remaining { try await physical.delete("dir/" + name) }
        #expect(try await physical.list(prefix: "") == [])
    }

    /// Random puts and deletes over a small alphabet that makes folders, leaves named like folders
    /// (`a/b` beside `a/b/c`), empty segments (`a//b`), bytes ordered around `/` (`-`, `0`) and non-ASCII
    /// names; after each step every folder's listing equals the reference.
    @Test func listingsMatchTheSortedKeyReference() async throws {
        let physical = MemoryPhysical()
        // The same operations on a store never listed until the end: its folders are indexed on first listing.
        let listedLate = MemoryPhysical()
        // Keyed by bytes: `é` and `e\u{301}` are equal as `String`s but distinct storage keys.
        var model: [[UInt8]: [UInt8]] = [:]
        var random = SplitMix(seed: 42)
        let segments = ["a", "b", "", "a-", "a0", "é", "e\u{301}", "z"]
        func randomKey() -> String {
            let depth = 1 + Int(random.next() % 3)
            return (0..<depth).map { _ in segments[Int(random.next() % UInt64(segments.count))] }
                .joined(separator: "/")
        }
        func reference(_ prefix: String) -> [[UInt8]] {
            let keys = model.keys.sorted { $0.lexicographicallyPrecedes($1) }
            var children: [[UInt8]] = []
            for key in keys where key.starts(with: prefix.utf8) && key.count > prefix.utf8.count {
                let rest = key.dropFirst(prefix.utf8.count)
                let child = Array(rest.firstIndex(of: UInt8(ascii: "/")).map { rest[...$0] } ?? rest)
                if children.last != child { children.append(child) }
            }
            return children
        }
        for step in 0..<1500 {
            let key = randomKey()
            if key.isEmpty || key.hasSuffix("/") { continue }
            if random.next() % 3 == 0 {
                try await physical.delete(key)
                try await listedLate.delete(key)
                model[Array(key.utf8)] = nil
            } else {
                try await physical.put(key, value: [UInt8(step % 256)])
                try await listedLate.put(key, value: [UInt8(step % 256)])
                model[Array(key.utf8)] = [UInt8(step % 256)]
            }
            if step % 50 == 0 {
                var folders: Set<[UInt8]> = [[]]
                for key in model.keys {
                    var utf8 = key
                    while let slash = utf8.lastIndex(of: UInt8(ascii: "/")) {
                        utf8 = Array(utf8[...slash])
                        folders.insert(utf8)
                        utf8.removeLast()
                    }
                }
                let prefixes = folders.map { String(decoding: $0, as: UTF8.self) } + ["a", "a/b", "nothing/"]
                for folder in prefixes {
                    let listed = try await physical.list(prefix: folder).map { Array($0.utf8) }
                    #expect(listed == reference(folder), "prefix \(folder) at step \(step)")
                }
            }
        }
        for (key, value) in model {
            #expect(try await physical.get(String(decoding: key, as: UTF8.self)) == value)
        }
        var folders: Set<[UInt8]> = [[]]
        for key in model.keys {
            for slash in key.indices where key[slash] == UInt8(ascii: "/") { folders.insert(Array(key[...slash])) }
        }
        for folder in folders.map({ String(decoding: $0, as: UTF8.self) }) + ["nothing/"] {
            let listed = try await listedLate.list(prefix: folder).map { Array($0.utf8) }
            #expect(listed == reference(folder), "late listing of \(folder)")
        }
        // After the first listing the folder index follows writes.
        try await listedLate.put("a/late", value: [1])
        #expect(try await listedLate.list(prefix: "a/").contains("late"))
        try await listedLate.delete("a/late")
        #expect(try await listedLate.list(prefix: "a/").contains("late") == false)
    }

    /// Keys are stored with their long lowercase hex runs packed; every kind of run must come back as written:
    /// salted-hash paths, runs just under and over the packing threshold, odd lengths, runs longer than one
    /// packed chunk, upper-case hex (not packed) and hex beside non-ASCII text. Listings stay in byte order.
    @Test func hexKeysRoundTripThroughGetListAndDelete() async throws {
        let physical = MemoryPhysical()
        var random = SplitMix(seed: 7)
        func hex(_ count: Int) -> String {
            String((0..<count).map { _ in Array("0123456789abcdef")[Int(random.next() % 16)] })
        }
        let parent = hex(64)
        var keys = (0..<200).map { _ in "sys/token/parent/\(parent)/\(hex(64))" }
        keys += [
            "x/" + hex(15), "x/" + hex(16), "x/" + hex(17), "x/" + hex(1023), "x/" + hex(510) + "g",
            "x/" + hex(40).uppercased(), "x/é" + hex(32) + "é", "x/" + hex(20) + "/" + hex(21), "x/" + hex(16) + "-",
        ]
        for (index, key) in keys.enumerated() { try await physical.put(key, value: Array(String(index).utf8)) }
        for (index, key) in keys.enumerated() { #expect(try await physical.get(key) == Array(String(index).utf8)) }
        let children = { (keys: [String], prefix: String) in
            Set(
                keys.filter { $0.hasPrefix(prefix) }.map { key -> String in
                    let rest = key.dropFirst(prefix.count)
                    return String(rest.firstIndex(of: "/").map { rest[...$0] } ?? rest)
                }
            ).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        #expect(
            try await physical.list(prefix: "sys/token/parent/\(parent)/")
                == children(keys, "sys/token/parent/\(parent)/"))
        #expect(try await physical.list(prefix: "x/") == children(keys, "x/"))
        #expect(try await physical.get("x/" + hex(16)) == nil)
        for key in keys.prefix(100) { try await physical.delete(key) }
        for key in keys.prefix(100) { #expect(try await physical.get(key) == nil) }
        for (index, key) in keys.enumerated().dropFirst(100) {
            #expect(try await physical.get(key) == Array(String(index).utf8))
        }
        #expect(try await physical.list(prefix: "sys/token/parent/\(parent)/").count == 100)
    }
}

/// A small deterministic generator, so a failure replays.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
