import CofferFramework
import CofferSQLite
import CofferStorage
import CofferTesting
import Foundation
import KVSecrets
import Testing

@testable import CofferCore

extension JSONValue {
    var integer: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }
}

/// Where a hardening test's core keeps its data: races showed up on SQLite first (issue 10), so the
/// concurrency invariants run on both.
enum Backing: String, CaseIterable, Sendable {
    case memory, sqlite

    /// A fresh initialised core, and what removes its files afterwards.
    func makeHarness() async throws -> (CoreHarness, @Sendable () async -> Void) {
        switch self {
        case .memory:
            return (try await CoreHarness.make(), {})
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let physical = try await SQLitePhysical.open(
                path: directory.appendingPathComponent("coffer.db").path, logger: .init(label: "test"))
            let harness = try await CoreHarness.make(physical: physical)
            return (
                harness,
                {
                    await harness.core.seal()
                    try? await physical.close()
                    try? FileManager.default.removeItem(at: directory)
                }
            )
        }
    }
}

/// Issue 10 reproduction 4: every number from a request is narrowed with a checked conversion.
@Suite struct NumericNarrowingTests {
    @Test(arguments: [
        ("ttl", JSONValue.double(1e308)), ("ttl", .string("9999999999999999h")), ("ttl", .double(-1e19)),
        ("explicit_max_ttl", .double(1e19)), ("num_uses", .double(1e19)), ("num_uses", .string("99999999999999999999")),
        ("period", .double(1e19)), ("ttl", .int(Int64.max)), ("ttl", .int(Int64.min)),
    ])
    func tokenCreateRefusesOutOfRangeNumbers(field: String, value: JSONValue) async throws {
        let harness = try await CoreHarness.make()
        let response = await harness.request(.update, "auth/token/create", [field: value])
        #expect(response.status == 400)
        #expect(response.errors?.first?.contains("\"\(field)\"") == true, "\(response.errors ?? [])")
    }

    @Test func renewSelfWithAHugeIncrementIsABadRequestForAnyToken() async throws {
        let harness = try await CoreHarness.make()
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default", "ttl": "1h"]).clientToken)
        for increment: JSONValue in [.double(1e19), .double(-1e308), .string("9999999999999999h")] {
            let response = await harness.request(
                .update, "auth/token/renew-self", ["increment": increment], token: token)
            #expect(response.status == 400)
            #expect(response.errors?.first?.contains("\"increment\"") == true)
        }
        #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 200)
    }

    @Test func tokenRoleFieldsAreCheckedAndNothingIsStored() async throws {
        let harness = try await CoreHarness.make()
        for (field, value) in [
            ("token_period", JSONValue.double(1e19)), ("token_num_uses", .double(1e19)), ("token_ttl", .double(1e19)),
            ("token_max_ttl", .double(1e308)),
            ("token_explicit_max_ttl", .string("9999999999999999h")),
        ] {
            let response = await harness.request(.update, "auth/token/roles/r", [field: value])
            #expect(response.status == 400)
            #expect(response.errors?.first?.contains(field) == true)
        }
        #expect(await harness.request(.read, "auth/token/roles/r").status == 404)
    }

    @Test func tokenRoleTTLsApplyToTheirTokens() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(.update, "auth/token/roles/r", ["token_ttl": "1h", "token_max_ttl": "2h"]).status
                == 204)
        let read = await harness.request(.read, "auth/token/roles/r")
        #expect(read.data["token_ttl"] == .int(3600) && read.data["token_max_ttl"] == .int(7200))
        let created = await harness.request(.update, "auth/token/create/r", [:])
        #expect(created.auth["lease_duration"] == .int(3600))
        let capped = await harness.request(.update, "auth/token/create/r", ["ttl": "5h"])
        #expect(capped.auth["lease_duration"] == .int(7200))
        #expect(await harness.request(.update, "auth/token/roles/r", ["token_ttl": "3h"]).status == 400)
    }

    @Test func mountTuningRefusesHugeTTLsAndKeepsTheOldValue() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv"]).status == 204)
        let tuned = await harness.request(.update, "sys/mounts/secret/tune", ["max_lease_ttl": "2h"])
        #expect(tuned.status == 204, "\(tuned)")
        for value: JSONValue in [.double(1e19), .string("9999999999999999h"), .double(1e308)] {
            let response = await harness.request(.update, "sys/mounts/secret/tune", ["max_lease_ttl": value])
            #expect(response.status == 400)
            #expect(response.errors?.first?.hasPrefix("unable to parse max TTL of") == true, "\(response)")
        }
        let read = await harness.request(.read, "sys/mounts/secret/tune")
        #expect(read.data["max_lease_ttl"] == .int(7200), "\(read)")
    }

    @Test func mountOptionsWithHugeNumbersDoNotTrap() async throws {
        let harness = try await CoreHarness.make()
        let response = await harness.request(
            .update, "sys/mounts/other", ["type": "kv", "options": ["version": .double(1e19)]])
        #expect(response.status < 500)
    }

    @Test func durationParserStaysWithinGoDurations() throws {
        #expect(try DurationParser.seconds("2562047h") == 2_562_047 * 3600)
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds("2562048h") }
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds(.double(.nan)) }
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds(.double(.infinity)) }
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds("99999999999") }
        #expect(try DurationParser.seconds(.int(DurationParser.maxSeconds)) == DurationParser.maxSeconds)
        #expect(DurationParser.goString(Int64.min).hasPrefix("-"))
    }
}

/// Issue 10 reproduction 5: identity policies never grant root.
@Suite struct IdentityRootTests {
    func entityLogin(_ harness: CoreHarness) async throws -> (token: String, entityID: String) {
        #expect(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        let login = await harness.request(.update, "auth/test/login", ["user": "alice", "policies": "dev"], token: "")
        let token = try #require(login.clientToken)
        let entityID = try #require(login.auth["entity_id"]?.stringValue)
        return (token, entityID)
    }

    @Test(arguments: [["root"], [" Root "], ["dev", "ROOT"]])
    func entityPoliciesCannotContainRoot(policies: [String]) async throws {
        let harness = try await CoreHarness.make()
        let (_, entityID) = try await entityLogin(harness)
        let policy = #"path "identity/entity/id/*" { capabilities = ["read", "update"] }"#
        #expect(await harness.request(.update, "sys/policy/ident", ["policy": .string(policy)]).status == 204)
        let editor = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "ident"]).clientToken)
        let response = await harness.request(
            .update, "identity/entity/id/\(entityID)", ["policies": .strings(policies)], token: editor)
        #expect(response.status == 400)
        #expect(response.errors == ["policies cannot contain root"])
        let entity = await harness.request(.read, "identity/entity/id/\(entityID)")
        #expect(entity.data["policies"]?.arrayValue?.isEmpty ?? true)
    }

    @Test func aStoredRootEntityPolicyGrantsNothing() async throws {
        let harness = try await CoreHarness.make()
        let (token, entityID) = try await entityLogin(harness)
        let identity = try harness.core.unsealed().identity
        var entity = try #require(try await identity.entity(id: entityID))
        entity.policies = ["root"]
        try await identity.save(entity)
        let capabilities = await harness.request(.update, "sys/capabilities-self", ["path": "sys/auth/x"], token: token)
        #expect(capabilities.data["capabilities"] != .strings(["root"]))
        #expect(await harness.request(.update, "sys/auth/x", ["type": "test-auth"], token: token).status == 403)
    }
}

/// Issue 10 reproductions 6–8 and the cubbyhole: token state changes are serialised per token.
@Suite struct TokenConcurrencyTests {
    @Test(arguments: Backing.allCases)
    func aTokenRevokedDuringARenewStormStaysRevoked(backing: Backing) async throws {
        let (harness, cleanup) = try await backing.makeHarness()
        _ = try await revokeDuringRenewStorms(harness, cleanup: cleanup)
    }

    /// Ten trials of: eight tasks renew a token while an admin revokes it by accessor. Returns the tokens.
    func revokeDuringRenewStorms(_ harness: CoreHarness, cleanup: @Sendable () async -> Void) async throws
        -> [String]
    {
        var revoked: [String] = []
        for trial in 0..<10 {
            let created = await harness.request(.update, "auth/token/create", ["policies": "default", "ttl": "1h"])
            let token = try #require(created.clientToken)
            let accessor = try #require(created.auth["accessor"]?.stringValue)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<10 {
                            await harness.request(.update, "auth/token/renew-self", ["increment": "2h"], token: token)
                        }
                    }
                }
                group.addTask {
                    await harness.request(.update, "auth/token/revoke-accessor", ["accessor": .string(accessor)])
                }
            }
            #expect(
                await harness.request(.read, "auth/token/lookup-self", token: token).status == 403, "trial \(trial)")
            #expect(
                await harness.request(.update, "auth/token/lookup-accessor", ["accessor": .string(accessor)]).status
                    == 400)
            #expect(
                await harness.request(.update, "auth/token/renew-self", token: token).status == 403, "trial \(trial)")
            revoked.append(token)
        }
        await cleanup()
        return revoked
    }

    @Test func aTokenRevokedDuringARenewStormStaysRevokedAfterARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("coffer.db").path
        let first = try await SQLitePhysical.open(path: path, logger: .init(label: "test"))
        let harness = try await CoreHarness.make(physical: first)
        let revoked = try await revokeDuringRenewStorms(
            harness,
            cleanup: {
                await harness.core.seal()
                try? await first.close()
            })
        let second = try await SQLitePhysical.open(path: path, logger: .init(label: "test"))
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories
        let reopened = Core(barrier: Barrier(physical: second), configuration: configuration)
        try await reopened.unseal(sealKey: harness.sealKey)
        for token in revoked {
            let response = await reopened.handle(
                CoreRequest(operation: .read, path: "auth/token/lookup-self", data: [:], token: token))
            #expect(response.status == 403)
        }
        await reopened.seal()
        try await second.close()
    }

    @Test(arguments: Backing.allCases)
    func numUsesIsExactUnderConcurrency(backing: Backing) async throws {
        let (harness, cleanup) = try await backing.makeHarness()
        for uses in [1, 3, 7] {
            let token = try #require(
                await harness.request(
                    .update, "auth/token/create", ["policies": "default", "num_uses": .int(Int64(uses))]
                )
                .clientToken)
            let successes = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<40 {
                    group.addTask { await harness.request(.read, "auth/token/lookup-self", token: token).status == 200 }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(successes == uses, "num_uses \(uses) on \(backing)")
            #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 403)
        }
        await cleanup()
    }

    /// A parent that may create children (the default policy alone may not).
    static func creatorParent(_ harness: CoreHarness, ttl: String) async throws -> String {
        let policy = #"path "auth/token/create" { capabilities = ["update"] }"#
        #expect(await harness.request(.update, "sys/policy/creator", ["policy": .string(policy)]).status == 204)
        return try #require(
            await harness.request(.update, "auth/token/create", ["policies": "creator,default", "ttl": .string(ttl)])
                .clientToken)
    }

    @Test(arguments: Backing.allCases)
    func revokingAParentKillsEveryChildEvenOnesCreatedMeanwhile(backing: Backing) async throws {
        let (harness, cleanup) = try await backing.makeHarness()
        let parent = try await Self.creatorParent(harness, ttl: "2h")
        let children = await withTaskGroup(of: String?.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let type = index % 2 == 0 ? "service" : "batch"
                    return await harness.request(
                        .update, "auth/token/create", ["policies": "default", "type": .string(type)], token: parent
                    ).clientToken
                }
            }
            group.addTask {
                await harness.request(.update, "auth/token/revoke", ["token": .string(parent)])
                return nil
            }
            return await group.reduce(into: [String]()) { if let child = $1 { $0.append(child) } }
        }
        #expect(!children.isEmpty)
        for child in children {
            #expect(
                await harness.request(.read, "auth/token/lookup-self", token: child).status == 403, "\(child.prefix(4))"
            )
        }
        await cleanup()
    }

    @Test func childrenAreCappedByTheirParentsTTLAndBatchChildrenDieWithIt() async throws {
        let harness = try await CoreHarness.make()
        let parent = try await Self.creatorParent(harness, ttl: "2h")
        for type in ["batch", "service"] {
            let child = await harness.request(
                .update, "auth/token/create", ["policies": "default", "type": .string(type), "ttl": "768h"],
                token: parent)
            let lease = try #require(child.auth["lease_duration"].flatMap(\.integer))
            #expect(lease > 7100 && lease <= 7200, "\(type) child lease \(lease)")
        }
        let batch = try #require(
            await harness.request(
                .update, "auth/token/create", ["policies": "default", "type": "batch"], token: parent
            )
            .clientToken)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: batch).status == 200)
        #expect(await harness.request(.update, "auth/token/revoke", ["token": .string(parent)]).status == 204)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: batch).status == 403)
        #expect(await harness.request(.read, "cubbyhole/x", token: batch).status == 403)
    }

    @Test func orphansAndPeriodicChildrenAreNotCapped() async throws {
        let harness = try await CoreHarness.make()
        let policy = #"path "auth/token/create*" { capabilities = ["update", "sudo"] }"#
        #expect(await harness.request(.update, "sys/policy/sudoer", ["policy": .string(policy)]).status == 204)
        let parent = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "sudoer,default", "ttl": "2h"])
                .clientToken)
        let periodic = await harness.request(
            .update, "auth/token/create", ["policies": "default", "period": "24h"], token: parent)
        #expect(periodic.auth["lease_duration"] == .int(86400), "\(periodic)")
        let orphan = await harness.request(
            .update, "auth/token/create-orphan", ["policies": "default", "type": "batch", "ttl": "24h"], token: parent)
        #expect(orphan.auth["lease_duration"] == .int(86400), "\(orphan)")
    }
}

/// Issue 10 "At rest" and cubbyhole: no accessor in a storage key; a revoked token's cubbyhole is gone.
@Suite struct TokenStorageTests {
    @Test func accessorsAppearInNoStorageKeyYetStillResolve() async throws {
        let physical = MemoryPhysical()
        let harness = try await CoreHarness.make(physical: physical)
        let created = await harness.request(.update, "auth/token/create", ["policies": "default"])
        let accessor = try #require(created.auth["accessor"]?.stringValue)
        for key in try await physical.listAllKeysForTest() { #expect(!key.contains(accessor), "\(key)") }
        let looked = await harness.request(.update, "auth/token/lookup-accessor", ["accessor": .string(accessor)])
        #expect(looked.data["accessor"]?.stringValue == accessor)
        let listed = await harness.request(.list, "auth/token/accessors")
        #expect(listed.data["keys"]?.arrayValue?.contains(.string(accessor)) == true)
        #expect(
            await harness.request(.update, "auth/token/revoke-accessor", ["accessor": .string(accessor)]).status == 204)
        let after = await harness.request(.list, "auth/token/accessors")
        #expect(after.data["keys"]?.arrayValue?.contains(.string(accessor)) == false)
    }

    @Test func tidyRevokesAChildWhoseParentIsGone() async throws {
        let harness = try await CoreHarness.make()
        let parent = try await TokenConcurrencyTests.creatorParent(harness, ttl: "2h")
        let child = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default"], token: parent).clientToken)
        // What a crash between a parent's revocation and a late child's leaves, seen by the restarted server:
        // the parent's entry is gone, the child's is not.
        let parentHash = try harness.core.unsealed().tokens.hash(parent)
        await harness.core.seal()
        try await harness.physical.delete("sys/token/id/" + parentHash)
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories
        let restarted = Core(barrier: Barrier(physical: harness.physical), configuration: configuration)
        try await restarted.unseal(sealKey: harness.sealKey)
        func send(_ operation: LogicalOperation, _ path: String, token: String) async -> CoreResponse {
            await restarted.handle(CoreRequest(operation: operation, path: path, data: [:], token: token))
        }
        #expect(await send(.read, "auth/token/lookup-self", token: child).status == 200)
        #expect(await send(.update, "auth/token/tidy", token: harness.rootToken).status == 202)
        // Tidy runs in the background, as in Vault.
        try await ExpirationRestoreTests.wait("tidy to revoke the child") {
            await send(.read, "auth/token/lookup-self", token: child).status == 403
        }
        await restarted.seal()
    }

    @Test func aRevokedTokensCubbyholeIsDeleted() async throws {
        let physical = MemoryPhysical()
        let harness = try await CoreHarness.make(physical: physical)
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "default"]).clientToken)
        #expect(await harness.request(.update, "cubbyhole/a/b", ["secret": "s"], token: token).status == 204)
        #expect(await harness.request(.update, "cubbyhole/c", ["secret": "s"], token: token).status == 204)
        let hash = try harness.core.unsealed().tokens.hash(token)
        let before = try await physical.listAllKeysForTest().filter { $0.contains(hash + "/") }
        #expect(before.count == 2)
        #expect(await harness.request(.update, "auth/token/revoke", ["token": .string(token)]).status == 204)
        #expect(try await physical.listAllKeysForTest().filter { $0.contains(hash + "/") }.isEmpty)
    }
}

/// A NUL in a request path is refused before any backend sees it (storage keys cannot hold one).
@Suite struct PathNULTests {
    @Test(arguments: ["auth/token/roles/a\u{0}b", "sys/policy/\u{0}", "secret/x\u{0}", "cubbyhole/\u{0}"])
    func aNULInThePathIsABadRequest(path: String) async throws {
        let harness = try await CoreHarness.make()
        for operation: LogicalOperation in [.update, .delete, .read] {
            let response = await harness.request(operation, path, ["a": "b"])
            #expect(response.status == 400, "\(operation) \(path.debugDescription)")
            #expect(response.errors == ["path cannot contain a NUL byte"])
        }
    }
}

/// Durations read back exactly across Go's whole range (whole units are summed as integers).
@Suite struct DurationPrecisionTests {
    @Test(arguments: [-7_676_892_233, 7_676_892_233, 9_223_372_036, -9_223_372_036, 104 * 86400 + 1, 1])
    func goStringsReadBackExactly(seconds: Int64) throws {
        #expect(try DurationParser.seconds(DurationParser.goString(seconds)) == seconds)
    }

    @Test func fractionsAndUnitsFollowGo() throws {
        #expect(try DurationParser.seconds("1.5h") == 5400)
        #expect(try DurationParser.seconds(".5m") == 30)
        #expect(try DurationParser.seconds("1h30m15s500ms") == 5415)
        #expect(try DurationParser.seconds("-2562047h47m16s") == -9_223_372_036)
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds("2562047h47m17s") }
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds("１h") }
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds("1x") }
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds(".h") }
        #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds("99999999999999999999h") }
    }
}

/// Sudo comes from the backends' declared root-protected paths; the core lists none of its own.
@Suite struct DeclaredSudoPathTests {
    @Test func declaredPathsNeedSudoAndOthersDoNot() async throws {
        let harness = try await CoreHarness.make()
        let policy =
            #"path "sys/*" { capabilities = ["create", "read", "update", "delete", "list"] } "#
            + #"path "auth/token/*" { capabilities = ["create", "read", "update", "delete", "list"] }"#
        #expect(await harness.request(.update, "sys/policy/broad", ["policy": .string(policy)]).status == 204)
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "broad"]).clientToken)
        for (operation, path) in [
            (LogicalOperation.update, "sys/auth/x"), (.update, "sys/rotate"), (.update, "sys/audit/file"),
            (.read, "sys/raw/core"), (.list, "auth/token/accessors"), (.update, "auth/token/revoke-orphan"),
        ] {
            #expect(
                await harness.request(operation, path, ["type": "test-auth"], token: token).status == 403, "\(path)")
        }
        let policyText = #"path "x/*" { capabilities = ["read"] }"#
        #expect(
            await harness.request(.update, "sys/policy/p", ["policy": .string(policyText)], token: token).status == 204)
    }
}
