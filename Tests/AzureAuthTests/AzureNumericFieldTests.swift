import AzureKit
import CofferCore
import CofferFramework
import CofferTesting
import Testing

@testable import AzureAuth

/// Hostile numbers in `config` and `role/<name>` are 400s naming the field and store nothing; none traps.
@Suite struct AzureNumericFieldTests {
    static let tenant = "7cd1f227-ca67-4fc6-a1a4-9888ea7f388c"

    /// Out of Int64, out of Go's duration range, or absurd for the field.
    static let hostile: [JSONValue] = [
        .double(1e19), .double(1e308), .double(-1e19), .double(9_223_372_036_854_775_808), "9223372036854775808",
        "9999999999999999h", .int(Int64.max), .int(Int64.min),
    ]

    static func enabled() async throws -> AzureHarness {
        let harness = try await AzureHarness.make()
        try #require(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        return harness
    }

    /// Posts each hostile value to `field` and checks the 400 names it and a read still shows `before`.
    static func refuses(
        _ harness: AzureHarness, _ path: String, _ field: String, base: [String: JSONValue], values: [JSONValue],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let before = await harness.request(.read, path).data[field]
        for value in values {
            let answer = await harness.request(.update, path, base.merging([field: value]) { $1 })
            #expect(answer.status == 400, "\(field)=\(value)", sourceLocation: sourceLocation)
            // The reference's own text for a negative legacy `num_uses` spells it "num uses".
            let named =
                answer.error.contains(field) || answer.error.contains(field.replacingOccurrences(of: "_", with: " "))
            #expect(named, "\(field)=\(value): \(answer.error)", sourceLocation: sourceLocation)
            let after = await harness.request(.read, path).data[field]
            #expect(
                after == before, "\(field)=\(value) changed it to \(String(describing: after))",
                sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        "max_retries", "retry_delay", "max_retry_delay", "root_password_ttl", "identity_token_ttl", "rotation_period",
        "rotation_window",
    ])
    func hostileConfigNumbersAreRefused(field: String) async throws {
        let harness = try await Self.enabled()
        let base: [String: JSONValue] = ["tenant_id": .string(Self.tenant), "resource": "r"]
        try #require(await harness.request(.update, "auth/azure/config", base).status == 204)
        await Self.refuses(harness, "auth/azure/config", field, base: base, values: Self.hostile)
    }

    @Test func configNumbersHaveSaneRanges() async throws {
        let harness = try await Self.enabled()
        let base: [String: JSONValue] = ["tenant_id": .string(Self.tenant), "resource": "r"]
        try #require(await harness.request(.update, "auth/azure/config", base).status == 204)
        let path = "auth/azure/config"
        await Self.refuses(harness, path, "max_retries", base: base, values: [.int(101), .int(-2), .int(1_000_000)])
        await Self.refuses(harness, path, "retry_delay", base: base, values: ["25h", .int(86_401), "-25h"])
        await Self.refuses(harness, path, "max_retry_delay", base: base, values: ["25h", .int(1_000_000_000)])
        await Self.refuses(harness, path, "identity_token_ttl", base: base, values: [.int(0), "-1s"])
        // Vault's accepted values keep working.
        for (field, value, stored) in [
            ("max_retries", JSONValue.int(-1), JSONValue.int(-1)), ("max_retries", .int(100), .int(100)),
            ("max_retries", .int(0), .int(0)), ("retry_delay", "-1s", .int(-1)), ("retry_delay", "24h", .int(86_400)),
            ("max_retry_delay", "-1s", .int(-1)), ("root_password_ttl", "87600h", .int(315_360_000)),
            ("identity_token_ttl", "48h", .int(172_800)),
        ] as [(String, JSONValue, JSONValue)] {
            let answer = await harness.request(.update, path, base.merging([field: value]) { $1 })
            #expect(answer.status == 204, "\(field)=\(value): \(answer.error)")
            #expect(await harness.request(.read, path).data[field] == stored, "\(field)")
        }
    }

    @Test(arguments: [
        "token_ttl", "token_max_ttl", "token_period", "token_explicit_max_ttl", "token_num_uses", "ttl", "max_ttl",
        "period", "num_uses",
    ])
    func hostileRoleNumbersAreRefused(field: String) async throws {
        let harness = try await Self.enabled()
        let base: [String: JSONValue] = ["bound_group_ids": "g"]
        try #require(
            await harness.request(
                .update, "auth/azure/role/r",
                base.merging(["token_num_uses": 5, "token_ttl": "1h"]) {
                    $1
                }
            ).status == 204)
        await Self.refuses(harness, "auth/azure/role/r", field, base: base, values: Self.hostile)
        let read = await harness.request(.read, "auth/azure/role/r")
        #expect(read.data["token_num_uses"] == .int(5))
        #expect(read.data["token_ttl"] == .int(3600))
    }

    @Test func roleUseCountsAreBounded() async throws {
        let harness = try await Self.enabled()
        let base: [String: JSONValue] = ["bound_group_ids": "g"]
        try #require(await harness.request(.update, "auth/azure/role/r", base).status == 204)
        await Self.refuses(
            harness, "auth/azure/role/r", "token_num_uses", base: base, values: [.int(Int64(Int32.max) + 1)])
        let accepted = await harness.request(
            .update, "auth/azure/role/r", base.merging(["token_num_uses": 1000]) { $1 })
        #expect(accepted.status == 204)
    }

    /// A config stored before these ranges existed, and knobs built from anything, still give safe values at use.
    @Test func storedAndConstructedNumbersAreClampedAtUse() {
        var config = AzureConfig()
        config.maxRetries = .max
        config.retryDelay = .min
        config.maxRetryDelay = .max
        #expect(
            AzureAuthBackend.retryPolicy(config)
                == AzureRetryPolicy(maxRetries: 100, retryDelay: -86_400, maxRetryDelay: 86_400))
        #expect(AzureAuthBackend.identityTokenTTL(.max) == 86_400)
        #expect(AzureAuthBackend.identityTokenTTL(.min) == 1)
        #expect(AzureAuthBackend.identityTokenTTL(3600) == 3600)
        let hostile = AzureRotationKnobs(propagation: .infinity, tick: .nan)
        #expect(hostile.propagation == 604_800)
        #expect(hostile.tickInterval == .seconds(10))
        #expect(AzureRotationKnobs(propagation: -5, tick: 1e300).tickInterval == .seconds(86_400))
        #expect(AzureRotationKnobs(propagation: -5).propagation == 0)
        #expect(AzureRotationKnobs(tick: 0).tickInterval == .milliseconds(10))
    }
}
