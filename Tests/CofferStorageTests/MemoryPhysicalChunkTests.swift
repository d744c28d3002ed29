import CofferStorage
import Testing

/// MemoryPhysical keeps keys in bounded sorted chunks; these cross many chunk splits and merges.
@Suite struct MemoryPhysicalChunkTests {
    @Test func manyKeysStayOrderedAcrossChunkSplitsAndDeletes() async throws {
        let physical = MemoryPhysical()
        let names = (0..<3000).map { String(format: "k%05d", ($0 * 7919) % 3000) }
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
}
