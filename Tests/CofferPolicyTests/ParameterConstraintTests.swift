import CofferJSON
import CofferPolicy
import Testing

@Suite struct ParameterConstraintTests {
    @Test func requiredParametersMustBePresent() throws {
        let acl = try makeACL("path \"a\" { capabilities = [\"update\", \"read\"] required_parameters = [\"name\"] }")
        #expect(acl.evaluate(.update, path: "a", data: ["name": "x", "other": 1]).allowed)
        #expect(acl.evaluate(.update, path: "a", data: ["name": nil]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["other": 1]).allowed)
        #expect(!acl.evaluate(.update, path: "a").allowed)
        #expect(!acl.evaluate(.read, path: "a").allowed)
    }

    @Test func deniedParametersWithAnyValue() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"create\", \"update\"] denied_parameters = { \"TTL\" = [] } }")
        #expect(!acl.evaluate(.update, path: "a", data: ["ttl": "1h"]).allowed)
        #expect(!acl.evaluate(.create, path: "a", data: ["Ttl": "1h"]).allowed)
        #expect(acl.evaluate(.update, path: "a", data: ["name": "x"]).allowed)
        #expect(acl.evaluate(.update, path: "a").allowed)
    }

    @Test func deniedParameterValuesUseGlobs() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"update\"] denied_parameters = { \"role\" = [\"admin*\", \"*-prod\", \"*root*\"] } }"
        )
        #expect(!acl.evaluate(.update, path: "a", data: ["role": "admin-1"]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["role": "web-prod"]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["role": "xrootx"]).allowed)
        #expect(acl.evaluate(.update, path: "a", data: ["role": "dev"]).allowed)
    }

    @Test func deniedStarDeniesEveryParameter() throws {
        let acl = try makeACL("path \"a\" { capabilities = [\"update\"] denied_parameters = { \"*\" = [] } }")
        #expect(!acl.evaluate(.update, path: "a", data: ["anything": "x"]).allowed)
        #expect(acl.evaluate(.update, path: "a", data: [:]).allowed)
    }

    @Test func allowedParametersRestrictKeysAndValues() throws {
        let acl = try makeACL(
            """
            path "a" {
              capabilities = ["update", "patch"]
              allowed_parameters = {
                "name" = []
                "env" = ["dev", "stag*"]
              }
            }
            """)
        #expect(acl.evaluate(.update, path: "a", data: ["name": "x", "env": "dev"]).allowed)
        #expect(acl.evaluate(.patch, path: "a", data: ["ENV": "staging"]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["env": "prod"]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["name": "x", "extra": "y"]).allowed)
        #expect(acl.evaluate(.update, path: "a").allowed)
    }

    @Test func allowedStarAdmitsOtherKeys() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"update\"] allowed_parameters = { \"*\" = [] \"env\" = [\"dev\"] } }")
        #expect(acl.evaluate(.update, path: "a", data: ["anything": "x", "env": "dev"]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["env": "prod"]).allowed)
        let onlyStar = try makeACL("path \"a\" { capabilities = [\"update\"] allowed_parameters = { \"*\" = [] } }")
        #expect(onlyStar.evaluate(.update, path: "a", data: ["x": 1]).allowed)
    }

    @Test func deniedIsCheckedBeforeAllowed() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"update\"] allowed_parameters = { \"k\" = [] } denied_parameters = { \"k\" = [\"bad\"] } }"
        )
        #expect(acl.evaluate(.update, path: "a", data: ["k": "good"]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["k": "bad"]).allowed)
    }

    @Test func nonStringValuesCompareLikeVault() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"update\"] allowed_parameters = { \"flag\" = [true] \"ttl\" = [300] \"list\" = [[\"x\"]] } }"
        )
        #expect(acl.evaluate(.update, path: "a", data: ["flag": true]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["flag": false]).allowed)
        #expect(acl.evaluate(.update, path: "a", data: ["list": ["x"]]).allowed)
        // Request numbers are json.Number in Vault and never equal a policy's integer.
        #expect(!acl.evaluate(.update, path: "a", data: ["ttl": 300]).allowed)
    }

    @Test func listAndDeleteIgnoreParameterConstraints() throws {
        let acl = try makeACL(
            "path \"a/*\" { capabilities = [\"list\", \"delete\"] denied_parameters = { \"*\" = [] } required_parameters = [\"x\"] }"
        )
        #expect(acl.evaluate(.list, path: "a/", data: ["y": "1"]).allowed)
        #expect(acl.evaluate(.delete, path: "a/b", data: ["y": "1"]).allowed)
    }

    @Test func mergedConstraintsFollowVault() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"update\"] allowed_parameters = { \"env\" = [\"dev\"] \"any\" = [] } }",
            "path \"a\" { capabilities = [\"create\"] allowed_parameters = { \"env\" = [\"prod\"] \"any\" = [\"only\"] } }"
        )
        #expect(acl.evaluate(.update, path: "a", data: ["env": "dev"]).allowed)
        #expect(acl.evaluate(.create, path: "a", data: ["env": "prod"]).allowed)
        #expect(!acl.evaluate(.update, path: "a", data: ["env": "qa"]).allowed)
        // An empty list ("any value") absorbs the other policy's list.
        #expect(acl.evaluate(.update, path: "a", data: ["any": "whatever"]).allowed)
    }

    @Test func denyMergeDropsParameterConstraints() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"update\"] allowed_parameters = { \"env\" = [] } }",
            "path \"a\" { capabilities = [\"deny\"] }")
        #expect(acl.capabilities(path: "a") == ["deny"])
        #expect(!acl.evaluate(.update, path: "a", data: ["env": "x"]).allowed)
    }

    @Test func wrappingBoundsUseTheSmallerValueWhenMerged() throws {
        let acl = try makeACL(
            "path \"a\" { capabilities = [\"read\"] max_wrapping_ttl = \"1h\" }",
            "path \"a\" { capabilities = [\"read\"] max_wrapping_ttl = \"10m\" min_wrapping_ttl = 30 }")
        #expect(acl.evaluate(.read, path: "a", wrapTTL: 600).allowed)
        #expect(!acl.evaluate(.read, path: "a", wrapTTL: 601).allowed)
        #expect(!acl.evaluate(.read, path: "a", wrapTTL: 29).allowed)
        #expect(!acl.evaluate(.read, path: "a").allowed)
    }
}
