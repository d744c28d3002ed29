import CofferFramework
import CofferStorage
import CofferTesting
import Foundation
import Testing

@testable import CofferCore

/// `auth/token/tidy`: answers 202 at once as Vault does and cleans, in the background, index entries left
/// without their token and tokens left without their parent.
@Suite struct TokenTidyTests {
    @Test func tidyRemovesDanglingIndexEntriesAndRevokesOrphanedChildren() async throws {
        let harness = try await CoreHarness.make()
        let tokens = try harness.core.unsealed().tokens
        let live = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default", "ttl": "1h"]).clientToken)
        let liveHash = tokens.hash(live)
        let parent = try await TokenConcurrencyTests.creatorParent(harness, ttl: "1h")
        let child = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default"], token: parent).clientToken)
        let parentHash = tokens.hash(parent)
        let childHash = tokens.hash(child)

        // Dangling entries of every index, as a crash between writes would leave them.
        let ghost = String(repeating: "0f", count: 32)
        let ghostAccessor = tokens.accessorKey("ghost-accessor")
        let ghostRecord = JSONValue.object(["token": .string(ghost), "accessor": .string("ghost-accessor")])
        let ghostExpiry = try #require(ExpiryIndexKey(expireTime: harness.core.now + 600, hash: ghost))
        try await tokens.storage.put(ghostAccessor, value: ghostRecord.serialized())
        try await tokens.storage.put("parent/\(liveHash)/\(ghost)", value: [])
        try await tokens.storage.put("mount/auth_token_0000/\(ghost)", value: [])
        try await tokens.storage.put(ghostExpiry.key, value: [])
        try await tokens.storage.put(ghostExpiry.markerKey, value: [])
        // A parent gone without its child (a crash between the two revocations).
        let parentEntry = try #require(try await tokens.storedEntry(hash: parentHash))
        try await tokens.storage.delete("id/" + parentHash)
        try await tokens.storage.delete(tokens.accessorKey(parentEntry.accessor))
        tokens.replaceCached(parentHash, with: nil)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: child).status == 200)

        let answer = await harness.request(.update, "auth/token/tidy")
        #expect(answer.status == 202)
        #expect(
            answer.envelope?.warnings == [
                "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."
            ])
        try await ExpirationRestoreTests.wait("tidy to finish") { !tokens.tidyRunning.withLock { $0 } }
        #expect(try await tokens.storage.get(ghostAccessor) == nil)
        #expect(try await tokens.storage.get("parent/\(liveHash)/\(ghost)") == nil)
        #expect(try await tokens.storage.get("mount/auth_token_0000/\(ghost)") == nil)
        #expect(try await tokens.storage.get(ghostExpiry.key) == nil)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: child).status == 403)
        #expect(try await tokens.storage.get("id/" + childHash) == nil)
        #expect(try await tokens.storage.list(prefix: "parent/\(parentHash)/").isEmpty)
        // What belongs to a live token stays.
        #expect(await harness.request(.read, "auth/token/lookup-self", token: live).status == 200)
        let liveEntry = try #require(try await tokens.storedEntry(hash: liveHash))
        #expect(try await tokens.storage.get(try #require(ExpiryIndexKey(liveEntry)).key) != nil)
        #expect(try await tokens.tokenHash(accessor: liveEntry.accessor) == liveHash)
    }

    /// As Vault: `update` on `auth/token/tidy` (not in the default policy), no sudo.
    @Test func tidyNeedsUpdateOnItsPath() async throws {
        let harness = try await CoreHarness.make()
        let plain = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default"]).clientToken)
        #expect(await harness.request(.update, "auth/token/tidy", token: plain).status == 403)
    }
}
