import CofferJSON
import CofferPolicy
import Testing

@Suite struct ACLMatchingTests {
    @Test func exactRuleReplacesBroaderPrefixRule() throws {
        let acl = try makeACL(
            "path \"secret/*\" { capabilities = [\"read\"] }",
            "path \"secret/data/x\" { capabilities = [\"update\"] }")
        #expect(acl.capabilities(path: "secret/data/x") == ["update"])
        #expect(!acl.evaluate(.read, path: "secret/data/x").allowed)
        #expect(acl.evaluate(.update, path: "secret/data/x").allowed)
        #expect(acl.evaluate(.read, path: "secret/data/y").allowed)
    }

    @Test func longestPrefixWins() throws {
        let acl = try makeACL(
            """
            path "secret/*" { capabilities = ["read"] }
            path "secret/data/*" { capabilities = ["list"] }
            path "sec*" { capabilities = ["delete"] }
            """)
        #expect(acl.capabilities(path: "secret/data/a/b") == ["list"])
        #expect(acl.capabilities(path: "secret/other") == ["read"])
        #expect(acl.capabilities(path: "secret") == ["delete"])
        #expect(acl.capabilities(path: "security") == ["delete"])
        #expect(acl.capabilities(path: "se") == ["deny"])
        let everything = try makeACL(
            "path \"*\" { capabilities = [\"read\"] }\npath \"a/*\" { capabilities = [\"list\"] }")
        #expect(everything.capabilities(path: "") == ["read"])
        #expect(everything.capabilities(path: "zzz/y") == ["read"])
        #expect(everything.capabilities(path: "a/x") == ["list"])
        // Capabilities are computed as a list request: "a/" is first searched as "a", which only "*" matches.
        #expect(everything.capabilities(path: "a/") == ["read"])
        #expect(everything.evaluate(.read, path: "a/").capabilities == [.list])
    }

    @Test func prefixRuleNeedsTheTextBeforeTheStar() throws {
        let acl = try makeACL("path \"secret/*\" { capabilities = [\"read\"] }")
        #expect(acl.evaluate(.read, path: "secret/").allowed)
        #expect(acl.evaluate(.read, path: "/secret/a/b").allowed)
        #expect(!acl.evaluate(.read, path: "secret").allowed)
        #expect(!acl.evaluate(.read, path: "secrets/a").allowed)
    }

    @Test func starInsideAPatternIsLiteral() throws {
        let acl = try makeACL("path \"a*b\" { capabilities = [\"read\"] }")
        #expect(acl.evaluate(.read, path: "a*b").allowed)
        #expect(!acl.evaluate(.read, path: "axb").allowed)
    }

    @Test func sameTextMergesCapabilitiesAcrossPolicies() throws {
        let acl = try makeACL(
            "path \"secret/*\" { capabilities = [\"read\"] }",
            "path \"secret/*\" { capabilities = [\"update\"] }\npath \"secret/*\" { capabilities = [\"list\"] }")
        #expect(acl.capabilities(path: "secret/a") == ["list", "read", "update"])
    }

    @Test func denyWinsInAMergedPattern() throws {
        let allow = "path \"secret/x\" { capabilities = [\"read\", \"list\"] }"
        let deny = "path \"secret/x\" { capabilities = [\"deny\"] }"
        for acl in [try makeACL(allow, deny), try makeACL(deny, allow), try makeACL(allow + "\n" + deny)] {
            #expect(acl.capabilities(path: "secret/x") == ["deny"])
            let result = acl.evaluate(.read, path: "secret/x")
            #expect(!result.allowed)
            #expect(result.capabilities == [.deny])
        }
    }

    @Test func differentPatternsAreNeverUnioned() throws {
        let acl = try makeACL(
            "path \"secret/*\" { capabilities = [\"deny\"] }",
            "path \"secret/data/*\" { capabilities = [\"read\"] }")
        #expect(acl.evaluate(.read, path: "secret/data/a").allowed)
        #expect(!acl.evaluate(.read, path: "secret/meta/a").allowed)
    }

    @Test func listOperationsTolerateTrailingSlashes() throws {
        let acl = try makeACL(
            """
            path "secret/metadata" { capabilities = ["list"] }
            path "kv/foo*" { capabilities = ["list"] }
            path "kv/foo/*" { capabilities = ["deny"] }
            """)
        // Step 2: the exact rule without the slash applies to list requests only.
        #expect(acl.evaluate(.list, path: "secret/metadata/").allowed)
        #expect(!acl.evaluate(.read, path: "secret/metadata/").allowed)
        // Step 3: the non-exact search runs on the path without its slash first.
        #expect(acl.evaluate(.list, path: "kv/foo/").allowed)
        #expect(!acl.evaluate(.list, path: "kv/foo/bar/").allowed)
        #expect(!acl.evaluate(.read, path: "kv/foo/").allowed)
    }

    @Test func capabilitiesTreatPathsAsListRequests() throws {
        let acl = try makeACL("path \"secret\" { capabilities = [\"read\", \"create\", \"update\"] }")
        #expect(acl.capabilities(path: "secret") == ["create", "read", "update"])
        #expect(acl.capabilities(path: "secret/") == ["create", "read", "update"])
        #expect(acl.capabilities(path: "other") == ["deny"])
    }

    @Test func sudoComesFromTheMatchedRuleOnly() throws {
        let acl = try makeACL(
            """
            path "sys/*" { capabilities = ["read", "sudo"] }
            path "sys/audit" { capabilities = ["read"] }
            """)
        #expect(!acl.evaluate(.read, path: "sys/audit").rootPrivileges)
        #expect(acl.evaluate(.read, path: "sys/audit").allowed)
        #expect(acl.evaluate(.read, path: "sys/audit/file").rootPrivileges)
        // Reported even when the operation itself is not allowed.
        let denied = acl.evaluate(.delete, path: "sys/remount")
        #expect(!denied.allowed && denied.rootPrivileges)
    }

    @Test func operationsMapToCapabilities() throws {
        let acl = try makeACL("path \"a\" { capabilities = [\"read\", \"patch\"] }")
        #expect(acl.evaluate(.read, path: "a").allowed)
        #expect(acl.evaluate(.patch, path: "a").allowed)
        for operation in [ACLOperation.create, .update, .delete, .list] {
            #expect(!acl.evaluate(operation, path: "a").allowed)
        }
        #expect(acl.evaluate(.patch, path: "a").capabilities == [.read, .patch])
    }

    @Test func noMatchingRuleAllowsNothing() throws {
        let acl = try makeACL("path \"a\" { capabilities = [\"read\"] }")
        let result = acl.evaluate(.read, path: "b")
        #expect(result == ACLResult(allowed: false, rootPrivileges: false, capabilities: []))
    }

    @Test func rootPolicyShortCircuits() throws {
        let acl = ACL(policies: [try Policy.parse(name: "root", text: "")])
        #expect(acl.isRoot)
        let result = acl.evaluate(.delete, path: "sys/seal")
        #expect(result.allowed && result.rootPrivileges && result.isRoot)
        #expect(acl.capabilities(path: "anything") == ["root"])
        #expect(acl.grantsAnything(underMount: "secret/"))
        let everything = try makeACL("path \"*\" { capabilities = [\"sudo\"] }")
        #expect(!everything.isRoot)
    }

    // MARK: `+` segment wildcards

    @Test func plusMatchesExactlyOneSegment() throws {
        let acl = try makeACL(
            """
            path "auth/+/login" { capabilities = ["update"] }
            path "+" { capabilities = ["list"] }
            path "secret/+/team-*" { capabilities = ["read"] }
            """)
        #expect(acl.evaluate(.update, path: "auth/azure/login").allowed)
        #expect(!acl.evaluate(.update, path: "auth/a/b/login").allowed)
        #expect(!acl.evaluate(.update, path: "auth/azure/login/x").allowed)
        #expect(acl.evaluate(.list, path: "top").allowed)
        #expect(!acl.evaluate(.list, path: "top/x").allowed)
        #expect(acl.evaluate(.read, path: "secret/a/team-ops").allowed)
        #expect(acl.evaluate(.read, path: "secret/a/team-ops/x/y").allowed)
        #expect(!acl.evaluate(.read, path: "secret/a/ops").allowed)
        #expect(!acl.evaluate(.read, path: "secret/team-ops").allowed)
    }

    @Test func tieBreakerLaterWildcardWins() throws {
        let acl = try makeACL(
            "path \"+/data/x\" { capabilities = [\"read\"] }",
            "path \"secret/+/x\" { capabilities = [\"update\"] }",
            "path \"secret/da*\" { capabilities = [\"list\"] }")
        // secret/da* has its wildcard at offset 9, later than the `+` at 7 or 0.
        #expect(acl.capabilities(path: "secret/data/x") == ["list"])
        #expect(acl.capabilities(path: "secret/other/x") == ["update"])
        #expect(acl.capabilities(path: "kv/data/x") == ["read"])
    }

    @Test func tieBreakerNonPrefixBeatsPrefix() throws {
        let acl = try makeACL(
            "path \"secret/*\" { capabilities = [\"read\"] }",
            "path \"secret/+/x\" { capabilities = [\"update\"] }",
            "path \"secret/+/y*\" { capabilities = [\"list\"] }",
            "path \"secret/+/y\" { capabilities = [\"delete\"] }")
        #expect(acl.capabilities(path: "secret/a/x") == ["update"])
        #expect(acl.capabilities(path: "secret/a/y") == ["delete"])
        // For "yz" both prefix rules match at offset 7; secret/* has fewer `+` segments.
        #expect(acl.capabilities(path: "secret/a/yz") == ["read"])
        #expect(acl.capabilities(path: "secret/a/z") == ["read"])
    }

    @Test func tieBreakerFewerWildcardsWins() throws {
        let acl = try makeACL(
            "path \"secret/+/+/y\" { capabilities = [\"read\"] }",
            "path \"secret/+/b/y\" { capabilities = [\"update\"] }")
        #expect(acl.capabilities(path: "secret/a/b/y") == ["update"])
        #expect(acl.capabilities(path: "secret/a/c/y") == ["read"])
    }

    @Test func tieBreakerLongerPatternWins() throws {
        let acl = try makeACL(
            "path \"secret/+/b*\" { capabilities = [\"read\"] }",
            "path \"secret/+/bc*\" { capabilities = [\"update\"] }")
        #expect(acl.capabilities(path: "secret/a/bcd") == ["update"])
        #expect(acl.capabilities(path: "secret/a/bd") == ["read"])
    }

    @Test func tieBreakerLexicographicallyGreaterWins() throws {
        let acl = try makeACL(
            "path \"secret/+/a/+\" { capabilities = [\"read\"] }",
            "path \"secret/+/+/b\" { capabilities = [\"update\"] }")
        // Same first wildcard, both exact-length, two `+` each, same length: "…/a/+" > "…/+/b".
        #expect(acl.capabilities(path: "secret/x/a/b") == ["read"])
    }

    @Test func prefixRuleStillWinsWithoutSegmentRules() throws {
        let acl = try makeACL(
            "path \"a/*\" { capabilities = [\"read\"] }\npath \"a/b/*\" { capabilities = [\"list\"] }")
        #expect(acl.capabilities(path: "a/b/c") == ["list"])
    }

    // MARK: Mount preflight

    @Test func grantsAnythingUnderMount() throws {
        let app = try makeACL("path \"secret/data/app/*\" { capabilities = [\"read\"] }")
        #expect(app.grantsAnything(underMount: "secret/"))
        #expect(app.grantsAnything(underMount: "secret"))
        #expect(!app.grantsAnything(underMount: "auth/azure/"))

        let exactInside = try makeACL("path \"auth/azure/login\" { capabilities = [\"update\"] }")
        #expect(exactInside.grantsAnything(underMount: "auth/azure/"))

        let mountItself = try makeACL("path \"kv\" { capabilities = [\"list\"] }")
        #expect(mountItself.grantsAnything(underMount: "kv/"))

        let denied = try makeACL("path \"secret/*\" { capabilities = [\"deny\"] }")
        #expect(!denied.grantsAnything(underMount: "secret/"))

        let subscribeOnly = try makeACL("path \"secret/data/x\" { capabilities = [\"subscribe\"] }")
        #expect(!subscribeOnly.grantsAnything(underMount: "secret/"))

        let segment = try makeACL("path \"+/data/app\" { capabilities = [\"read\"] }")
        #expect(segment.grantsAnything(underMount: "secret/"))
        let segmentDeny = try makeACL("path \"+/data/app\" { capabilities = [\"deny\"] }")
        #expect(!segmentDeny.grantsAnything(underMount: "secret/"))
        let segmentElsewhere = try makeACL("path \"kv/+/app\" { capabilities = [\"read\"] }")
        #expect(!segmentElsewhere.grantsAnything(underMount: "secret/"))
    }
}
