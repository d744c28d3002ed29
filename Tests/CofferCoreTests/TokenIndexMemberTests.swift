import CofferStorage
import CofferTesting
import Testing

@testable import CofferCore

/// The parent and auth-mount indexes name a token `<creation ms>-<hash>` (so new tokens append to their folder),
/// and tokens indexed by bare hash, as stored before, are still found, revoked and cleaned.
@Suite struct TokenIndexMemberTests {
    @Test func namesParseInBothLayouts() throws {
        let hash = String(repeating: "ab", count: 32)
        #expect(TokenIndexMember(listed: "1765000000123-" + hash)?.hash == hash)
        #expect(TokenIndexMember(listed: hash)?.hash == hash)
        #expect(TokenIndexMember(listed: "folder/") == nil)
        #expect(TokenIndexMember(listed: "") == nil)
        #expect(TokenIndexMember(listed: "1765000000123-") == nil)
    }

    @Test func childrenAreIndexedByCreationTimeThenHash() async throws {
        let harness = try await CoreHarness.make()
        let tokens = try harness.core.unsealed().tokens
        let parent = try await TokenConcurrencyTests.creatorParent(harness, ttl: "1h")
        var hashes: [String] = []
        for _ in 0..<5 {
            let child = try #require(
                await harness.request(.update, "auth/token/create", ["policies": "default"], token: parent).clientToken)
            hashes.append(tokens.hash(child))
        }
        let listed = try await tokens.storage.list(prefix: "parent/\(tokens.hash(parent))/")
        #expect(listed.count == 5)
        for name in listed {
            let digits = try #require(name.split(separator: "-").first)
            #expect(digits.count == 13 && digits.allSatisfy(\.isNumber), "member \(name)")
        }
        var entries: [TokenEntry] = []
        for hash in hashes { entries.append(try #require(try await tokens.storedEntry(hash: hash))) }
        #expect(listed == entries.map { TokenIndexMember($0).name }.sorted())
        #expect(Set(listed.compactMap { TokenIndexMember(listed: $0)?.hash }) == Set(hashes))
    }

    @Test func childrenIndexedByBareHashAreStillRevokedWithTheirParent() async throws {
        let harness = try await CoreHarness.make()
        let tokens = try harness.core.unsealed().tokens
        let parent = try await TokenConcurrencyTests.creatorParent(harness, ttl: "1h")
        let parentHash = tokens.hash(parent)
        let legacy = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default"], token: parent).clientToken)
        let current = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default"], token: parent).clientToken)
        // Re-index one child the way earlier versions stored it.
        let legacyEntry = try #require(try await tokens.storedEntry(hash: tokens.hash(legacy)))
        try await tokens.storage.transaction([
            .delete(key: "parent/\(parentHash)/\(TokenIndexMember(legacyEntry).name)"),
            .put(key: "parent/\(parentHash)/\(legacyEntry.idHash)", value: []),
        ])

        #expect(await harness.request(.update, "auth/token/revoke-self", token: parent).status == 204)
        for child in [legacy, current] {
            #expect(await harness.request(.read, "auth/token/lookup-self", token: child).status == 403)
        }
        #expect(try await tokens.storage.list(prefix: "parent/\(parentHash)/").isEmpty)
    }

    @Test func revokingABareHashIndexedChildDeletesItsEntry() async throws {
        let harness = try await CoreHarness.make()
        let tokens = try harness.core.unsealed().tokens
        let parent = try await TokenConcurrencyTests.creatorParent(harness, ttl: "1h")
        let parentHash = tokens.hash(parent)
        let child = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default"], token: parent).clientToken)
        let entry = try #require(try await tokens.storedEntry(hash: tokens.hash(child)))
        try await tokens.storage.transaction([
            .delete(key: "parent/\(parentHash)/\(TokenIndexMember(entry).name)"),
            .put(key: "parent/\(parentHash)/\(entry.idHash)", value: []),
        ])
        #expect(await harness.request(.update, "auth/token/revoke-self", token: child).status == 204)
        #expect(try await tokens.storage.list(prefix: "parent/\(parentHash)/").isEmpty)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: parent).status == 200)
    }
}
