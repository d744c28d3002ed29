import CofferFramework
import Foundation
import Testing

/// The shared `token_*` field group: parsing, defaults, deprecated spellings, errors, reads and logins.
@Suite struct TokenParamsTests {
    static let schema = TokenParams.fields.merging(TokenParams.deprecatedFields) { own, _ in own }

    static func fields(_ raw: [String: JSONValue]) -> FieldData { FieldData(raw: raw, schema: schema) }

    static func parsed(_ raw: [String: JSONValue], choices: [TokenType] = TokenType.authMethodChoices) throws
        -> TokenParams
    {
        var params = TokenParams()
        try params.parse(fields(raw), choices: choices)
        return params
    }

    static func error(_ raw: [String: JSONValue], choices: [TokenType] = TokenType.authMethodChoices) -> [String] {
        do {
            _ = try parsed(raw, choices: choices)
            return []
        } catch let error as LogicalError {
            return error.messages
        } catch {
            return ["\(error)"]
        }
    }

    @Test func everyFieldIsReadWithVaultsCoercions() throws {
        let params = try Self.parsed([
            "token_ttl": "1h", "token_max_ttl": 7200, "token_period": "0", "token_explicit_max_ttl": "3h",
            "token_policies": "a, b", "token_bound_cidrs": ["10.0.0.0/8"], "token_no_default_policy": "true",
            "token_num_uses": "3", "token_type": "service",
        ])
        #expect(params.ttl == 3600 && params.maxTTL == 7200 && params.period == 0 && params.explicitMaxTTL == 10800)
        #expect(params.policies == ["a", "b"] && params.boundCIDRs == ["10.0.0.0/8"])
        #expect(params.noDefaultPolicy && params.numUses == 3 && params.type == .service)
    }

    @Test func absentFieldsKeepWhatWasThere() throws {
        var params = TokenParams(type: .defaultService)
        params.ttl = 60
        try params.parse(Self.fields(["token_max_ttl": "1h"]), choices: TokenType.defaultingChoices)
        #expect(params.ttl == 60 && params.maxTTL == 3600 && params.type == .defaultService)
        #expect(TokenParams() == (try Self.parsed([:])))
    }

    @Test func authMethodsAcceptOnlyDefaultServiceAndBatch() throws {
        #expect(try Self.parsed(["token_type": ""]).type == .default)
        #expect(try Self.parsed(["token_type": "default"]).type == .default)
        #expect(try Self.parsed(["token_type": "batch"]).type == .batch)
        for refused in ["default-service", "default-batch", "weird"] {
            #expect(Self.error(["token_type": .string(refused)]) == ["invalid 'token_type' value \"\(refused)\""])
        }
        #expect(
            try Self.parsed(["token_type": "default-batch"], choices: TokenType.defaultingChoices).type == .defaultBatch
        )
        #expect(
            Self.error(["token_type": "default"], choices: TokenType.defaultingChoices) == [
                "invalid 'token_type' value \"default\""
            ])
    }

    @Test func refusalsUseVaultsTexts() {
        for name in ["token_ttl", "token_max_ttl", "token_period", "token_explicit_max_ttl"] {
            #expect(Self.error([name: "-1s"]) == ["'\(name)' cannot be negative"])
        }
        #expect(Self.error(["token_num_uses": -1]) == ["'token_num_uses' cannot be negative"])
        #expect(
            Self.error(["token_num_uses": .int(Int64(Int32.max) + 1)]) == [
                "token_num_uses must be between 0 and 2147483647"
            ])
        #expect(
            Self.error(["token_ttl": "2h", "token_max_ttl": "1h"]) == [
                "'token_ttl' cannot be greater than 'token_max_ttl'"
            ])
        #expect(
            Self.error(["token_type": "batch", "token_period": "1h"]) == [
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens"
            ])
        #expect(
            Self.error(["token_type": "default-batch", "token_num_uses": 2], choices: TokenType.defaultingChoices) == [
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count"
            ])
        #expect(Self.error(["token_bound_cidrs": "10.0.0.0/8,nope"]) == ["invalid CIDR address: nope"])
        #expect(Self.error(["token_ttl": .double(1e19)]).first?.contains("\"token_ttl\"") == true)
    }

    @Test func deprecatedSpellingsSetTheirTwinsAndAreKeptForReads() throws {
        var params = TokenParams()
        var legacy = TokenParams.Legacy()
        let fields = Self.fields(["ttl": "1h", "policies": "B, a,root", "num_uses": 4, "bound_cidrs": "10.0.0.0/8"])
        try params.parse(fields)
        try legacy.upgrade(fields, into: &params)
        #expect(params.ttl == 3600 && legacy.ttl == 3600)
        #expect(params.policies == ["root"] && legacy.policies == ["root"])
        #expect(params.numUses == 4 && legacy.numUses == 4)
        #expect(params.boundCIDRs == ["10.0.0.0/8"] && legacy.boundCIDRs == ["10.0.0.0/8"])
        #expect(legacy.readData()["ttl"] == .int(3600) && legacy.readData()["max_ttl"] == nil)

        // The twin wins when both are sent (the old value mirrors it); the twin alone clears the old value.
        let both = Self.fields(["token_ttl": "2h", "ttl": "1h"])
        try params.parse(both)
        try legacy.upgrade(both, into: &params)
        #expect(params.ttl == 7200 && legacy.ttl == 7200)
        let twinOnly = Self.fields(["token_ttl": "3h"])
        try params.parse(twinOnly)
        try legacy.upgrade(twinOnly, into: &params)
        #expect(params.ttl == 10800 && legacy.ttl == 0)
    }

    @Test func deprecatedSpellingsHaveTheirOwnRefusalsAndOnlyDeclaredOnesAreRead() throws {
        var params = TokenParams()
        var legacy = TokenParams.Legacy()
        #expect(throws: LogicalError.badRequest("token num uses cannot be negative")) {
            try legacy.upgrade(Self.fields(["num_uses": -1]), into: &params)
        }
        #expect(throws: LogicalError.badRequest("ttl must be between 0 and 9223372036")) {
            try legacy.upgrade(Self.fields(["ttl": "-1s"]), into: &params)
        }
        let undeclared = FieldData(raw: ["ttl": "1h"], schema: TokenParams.fields)
        try legacy.upgrade(undeclared, into: &params)
        #expect(params.ttl == 0 && legacy.ttl == 0)
    }

    @Test func populateFillsALoginAndReadShowsEveryField() throws {
        let params = try Self.parsed([
            "token_ttl": "1h", "token_policies": "dev", "token_type": "batch", "token_bound_cidrs": "10.0.0.0/8",
        ])
        var auth = Auth(displayName: "x", renewable: false)
        params.populate(&auth)
        #expect(auth.ttl == 3600 && auth.policies == ["dev"] && auth.tokenType == .batch && auth.renewable)
        #expect(auth.boundCIDRs == ["10.0.0.0/8"] && auth.displayName == "x")
        let data = TokenParams().readData()
        #expect(data["token_policies"] == .array([]) && data["token_bound_cidrs"] == .array([]))
        #expect(data["token_type"] == "default" && data["token_ttl"] == .int(0))
        #expect(Set(data.keys) == Set(TokenParams.fields.keys))
    }

    /// Roles embed the group flat under the member names roles stored before it existed.
    @Test func storedFormKeepsTheRolesMemberNames() throws {
        var params = TokenParams(type: .defaultService)
        params.ttl = 60
        params.boundCIDRs = ["10.0.0.0/8"]
        let object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(params)) as? [String: Any])
        #expect(object["tokenTTL"] as? Int == 60 && object["tokenType"] as? String == "default-service")
        #expect(object["tokenBoundCIDRs"] as? [String] == ["10.0.0.0/8"])
        let older = Data(#"{"tokenType":"default-service","tokenPeriod":5}"#.utf8)
        let decoded = try JSONDecoder().decode(TokenParams.self, from: older)
        #expect(decoded.period == 5 && decoded.type == .defaultService && decoded.ttl == 0)
        #expect(try JSONDecoder().decode(TokenParams.self, from: JSONEncoder().encode(params)) == params)
    }

    @Test func typesResolveAgainstTheMountDefault() {
        #expect(TokenType.default.resolved(mountDefault: .defaultService) == .service)
        #expect(TokenType.default.resolved(mountDefault: .defaultBatch) == .batch)
        #expect(TokenType.default.resolved(mountDefault: .batch) == .batch)
        #expect(TokenType.defaultService.resolved(mountDefault: .batch) == .service)
        #expect(TokenType.batch.resolved(mountDefault: .service) == .batch)
    }
}
