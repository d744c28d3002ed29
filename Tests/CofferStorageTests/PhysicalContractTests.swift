import Foundation
import Testing

@testable import CofferStorage

/// The `PhysicalStorage` contract, run identically against every backend.
@Suite struct PhysicalContractTests {
    @Test(arguments: PhysicalKind.allCases)
    func getPutDeleteRoundTrip(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            #expect(try await physical.get("a/b") == nil)
            try await physical.put("a/b", value: [1, 2, 3])
            #expect(try await physical.get("a/b") == [1, 2, 3])
            try await physical.put("a/b", value: [9])
            #expect(try await physical.get("a/b") == [9])
            try await physical.put("empty", value: [])
            #expect(try await physical.get("empty") == [])
            try await physical.delete("a/b")
            #expect(try await physical.get("a/b") == nil)
            try await physical.delete("never-existed")
        }
    }

    @Test(arguments: PhysicalKind.allCases)
    func listReturnsSortedUniqueImmediateChildren(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            for key in ["b/z", "a", "b/c/d", "b/c/e", "b/a", "b-sibling", "c/deep/deeper/leaf", "ba"] {
                try await physical.put(key, value: [0])
            }
            #expect(try await physical.list(prefix: "") == ["a", "b-sibling", "b/", "ba", "c/"])
            #expect(try await physical.list(prefix: "b/") == ["a", "c/", "z"])
            #expect(try await physical.list(prefix: "b/c/") == ["d", "e"])
            #expect(try await physical.list(prefix: "c/") == ["deep/"])
            #expect(try await physical.list(prefix: "missing/") == [])
            // A prefix that is not a folder boundary still lists what follows it.
            #expect(try await physical.list(prefix: "b") == ["-sibling", "/", "a"])
        }
    }

    @Test(arguments: PhysicalKind.allCases)
    func listTreatsSQLWildcardsAndUnicodeLiterally(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            for key in ["100%/x", "100a/y", "a_b/1", "axb/2", "é/1", "é/2", "f/1", "\u{10FFFF}/z"] {
                try await physical.put(key, value: [0])
            }
            #expect(try await physical.list(prefix: "100%/") == ["x"])
            #expect(try await physical.list(prefix: "a_b/") == ["1"])
            #expect(try await physical.list(prefix: "é/") == ["1", "2"])
            #expect(try await physical.list(prefix: "\u{10FFFF}/") == ["z"])
            // Byte order, as SQLite and Vault sort: "f" (0x66) before "é" (0xC3 0xA9) before U+10FFFF.
            #expect(
                try await physical.list(prefix: "") == ["100%/", "100a/", "a_b/", "axb/", "f/", "é/", "\u{10FFFF}/"])
        }
    }

    @Test(arguments: PhysicalKind.allCases)
    func deletingTheLastChildRemovesTheFolder(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            try await physical.put("f/only", value: [1])
            #expect(try await physical.list(prefix: "") == ["f/"])
            try await physical.delete("f/only")
            #expect(try await physical.list(prefix: "") == [])
        }
    }

    @Test(arguments: PhysicalKind.allCases)
    func invalidKeysAreRejected(kind: PhysicalKind) async throws {
        try await kind.withBackend { (physical: any PhysicalStorage) async throws in
            for key in ["", "folder/", "nul\u{0}byte"] {
                await #expect(throws: StorageError.self, "key \(key.debugDescription)") {
                    try await physical.put(key, value: [1])
                }
            }
            #expect(try await physical.list(prefix: "") == [])
        }
    }

    @Test(arguments: PhysicalKind.allCases)
    func transactionAppliesPutsAndDeletes(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            try await physical.put("t/old", value: [1])
            try await physical.transaction([
                .put(key: "t/new", value: [2]), .delete(key: "t/old"), .put(key: "t/other", value: [3]),
            ])
            #expect(try await physical.get("t/old") == nil)
            #expect(try await physical.get("t/new") == [2])
            #expect(try await physical.list(prefix: "t/") == ["new", "other"])
        }
    }

    @Test(arguments: PhysicalKind.allCases)
    func failingTransactionLeavesNothing(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            try await physical.put("t/kept", value: [1])
            await #expect(throws: StorageError.self) {
                try await physical.transaction([
                    .put(key: "t/first", value: [2]),
                    .delete(key: "t/kept"),
                    .put(key: "t/bad/", value: [3]),  // invalid: ends with '/'
                    .put(key: "t/last", value: [4]),
                ])
            }
            #expect(try await physical.get("t/first") == nil)
            #expect(try await physical.get("t/kept") == [1])
            #expect(try await physical.get("t/last") == nil)
            #expect(try await physical.list(prefix: "t/") == ["kept"])
        }
    }

    @Test(arguments: PhysicalKind.allCases)
    func concurrentWritersAreAllDurable(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask { try await physical.put("c/\(index)", value: Array("v\(index)".utf8)) }
                }
                try await group.waitForAll()
            }
            let listed = try await physical.list(prefix: "c/")
            #expect(listed.count == 200)
            #expect(Set(listed) == Set((0..<200).map { "\($0)" }))
            for index in 0..<200 {
                #expect(try await physical.get("c/\(index)") == Array("v\(index)".utf8))
            }
        }
    }

    /// Concurrent batches share SQLite group commits; a bad batch must roll back alone.
    @Test(arguments: PhysicalKind.allCases)
    func concurrentTransactionsFailIndependently(kind: PhysicalKind) async throws {
        try await kind.withBackend { physical in
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<60 {
                    group.addTask {
                        let middleKey = index % 7 == 0 ? "x/\(index)/bad/" : "x/\(index)/b"
                        do {
                            try await physical.transaction([
                                .put(key: "x/\(index)/a", value: [UInt8(index)]),
                                .put(key: middleKey, value: [1]),
                                .put(key: "x/\(index)/c", value: [2]),
                            ])
                            return (index, true)
                        } catch {
                            return (index, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            for index in 0..<60 {
                let shouldSucceed = index % 7 != 0
                #expect(outcomes[index] == shouldSucceed, "transaction \(index)")
                let children = try await physical.list(prefix: "x/\(index)/")
                #expect(children == (shouldSucceed ? ["a", "b", "c"] : []), "transaction \(index)")
            }
        }
    }
}

@Suite struct StorageKeysTests {
    @Test func upperBoundIsTheNextStringAfterThePrefixRange() {
        #expect(StorageKeys.upperBound(forPrefix: "") == nil)
        #expect(StorageKeys.upperBound(forPrefix: "a/") == "a0")
        #expect(StorageKeys.upperBound(forPrefix: "a\u{10FFFF}") == "b")
        #expect(StorageKeys.upperBound(forPrefix: "\u{D7FF}") == "\u{E000}")
        #expect(StorageKeys.upperBound(forPrefix: "\u{10FFFF}") == nil)
    }
}
