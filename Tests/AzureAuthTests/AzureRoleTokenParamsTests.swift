import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

@testable import AzureAuth

/// Azure roles take the shared `token_*` group: Vault's `tokenutil` choices and texts, and the deprecated
/// spellings the Azure method keeps.
@Suite struct AzureRoleTokenParamsTests {
    static let base: [String: JSONValue] = ["bound_group_ids": "g"]

    static func enabled() async throws -> AzureHarness {
        let harness = try await AzureHarness.make()
        try #require(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        return harness
    }

    @Test func tokenTypeAcceptsOnlyServiceBatchAndDefault() async throws {
        let harness = try await Self.enabled()
        for accepted in ["service", "batch", "default"] {
            let write = await harness.request(
                .update, "auth/azure/role/r", Self.base.merging(["token_type": .string(accepted)]) { $1 })
            #expect(write.status == 204, "\(accepted)")
            #expect(await harness.request(.read, "auth/azure/role/r").data["token_type"] == .string(accepted))
        }
        for refused in ["default-service", "default-batch"] {
            let write = await harness.request(
                .update, "auth/azure/role/r", Self.base.merging(["token_type": .string(refused)]) { $1 })
            #expect(write.status == 400)
            #expect(write.errors == ["invalid 'token_type' value \"\(refused)\""])
        }
        #expect(await harness.request(.read, "auth/azure/role/r").data["token_type"] == "default")
    }

    @Test func deprecatedSpellingsSetTheTwinAndShowWhileInUse() async throws {
        let harness = try await Self.enabled()
        let path = "auth/azure/role/r"
        try #require(
            await harness.request(.update, path, Self.base.merging(["max_ttl": "2h", "num_uses": 3]) { $1 }).status
                == 204)
        var read = await harness.request(.read, path).data
        #expect(read["token_max_ttl"] == .int(7200) && read["max_ttl"] == .int(7200))
        #expect(read["token_num_uses"] == .int(3) && read["num_uses"] == .int(3))
        try #require(await harness.request(.update, path, ["token_max_ttl": "3h"]).status == 204)
        read = await harness.request(.read, path).data
        #expect(read["token_max_ttl"] == .int(10800) && read["max_ttl"] == nil)
        #expect(read["num_uses"] == .int(3))
        let negative = await harness.request(.update, path, ["num_uses": -1])
        #expect(negative.errors == ["token num uses cannot be negative"])
    }

    /// A role stored before the shared group (every member flat, `default-service` still accepted then) reads
    /// back unchanged, and its logins get service tokens.
    @Test func aRoleStoredBeforeTheGroupStillDecodes() throws {
        let stored = Data(
            #"{"boundGroupIDs":["g"],"tokenTTL":60,"tokenMaxTTL":0,"tokenPeriod":0,"tokenExplicitMaxTTL":0,"tokenPolicies":["dev"],"tokenBoundCIDRs":[],"tokenNoDefaultPolicy":false,"tokenNumUses":0,"tokenType":"default-service","policies":["dev"],"ttl":60,"maxTTL":0,"period":0,"numUses":0}"#
                .utf8)
        let role = try JSONDecoder().decode(AzureRole.self, from: stored)
        #expect(role.boundGroupIDs == ["g"] && role.boundLocations == nil)
        #expect(role.token.ttl == 60 && role.token.policies == ["dev"] && role.token.type == .defaultService)
        #expect(role.legacy.ttl == 60 && role.legacy.policies == ["dev"])
        let auth = role.auth(base: Auth(displayName: "oid"))
        #expect(auth.tokenType.resolved(mountDefault: .defaultBatch) == .service && auth.displayName == "oid")
        #expect(try JSONDecoder().decode(AzureRole.self, from: JSONEncoder().encode(role)) == role)
    }
}
