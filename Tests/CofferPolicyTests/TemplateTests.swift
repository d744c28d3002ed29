import CofferPolicy
import Testing

@Suite struct TemplateTests {
    let context = TemplateContext(
        entityID: "ent-1", entityName: "alice", entityMetadata: ["team": "ops", "empty": ""],
        aliases: ["auth_azure_1": .init(id: "al-1", name: "alice@corp", metadata: ["region": "eu"])],
        groups: [.init(id: "g-1", name: "admins", metadata: ["tier": "gold"])])

    let templated = """
        path "secret/data/{{identity.entity.name}}/*" { capabilities = ["read"] }
        path "shared/*" { capabilities = ["list"] }
        """

    @Test func templatedPathsResolvePerContext() throws {
        let policy = try Policy.parse(name: "t", text: templated)
        #expect(policy.usesTemplates)
        let acl = ACL(policies: [policy], context: context)
        #expect(acl.evaluate(.read, path: "secret/data/alice/db").allowed)
        #expect(!acl.evaluate(.read, path: "secret/data/bob/db").allowed)
        #expect(acl.evaluate(.list, path: "shared/").allowed)
    }

    @Test func unresolvableBlocksAreSkipped() throws {
        let policy = try Policy.parse(name: "t", text: templated)
        let acl = ACL(policies: [policy])
        #expect(!acl.evaluate(.read, path: "secret/data/alice/db").allowed)
        #expect(!acl.evaluate(.read, path: "secret/data/{{identity.entity.name}}/db").allowed)
        #expect(acl.evaluate(.list, path: "shared/").allowed)
    }

    @Test func everyDirectiveKind() throws {
        let acl = try makeACL(
            """
            path "id/{{identity.entity.id}}" { capabilities = ["read"] }
            path "meta/{{ identity.entity.metadata.team }}" { capabilities = ["read"] }
            path "alias/{{identity.entity.aliases.auth_azure_1.name}}" { capabilities = ["read"] }
            path "alias-id/{{identity.entity.aliases.auth_azure_1.id}}" { capabilities = ["read"] }
            path "alias-meta/{{identity.entity.aliases.auth_azure_1.metadata.region}}" { capabilities = ["read"] }
            path "group/{{identity.groups.ids.g-1.name}}" { capabilities = ["read"] }
            path "group-id/{{identity.groups.names.admins.id}}" { capabilities = ["read"] }
            path "group-meta/{{identity.groups.names.admins.metadata.tier}}" { capabilities = ["read"] }
            path "empty-meta/{{identity.entity.metadata.empty}}/x" { capabilities = ["read"] }
            """, context: context)
        for path in [
            "id/ent-1", "meta/ops", "alias/alice@corp", "alias-id/al-1", "alias-meta/eu", "group/admins",
            "group-id/g-1", "group-meta/gold", "empty-meta//x",
        ] {
            #expect(acl.evaluate(.read, path: path).allowed, "\(path)")
        }
    }

    @Test func unknownDirectivesSkipOnlyTheirBlock() throws {
        let acl = try makeACL(
            """
            path "a/{{identity.entity.metadata.missing}}" { capabilities = ["read"] }
            path "b/{{identity.entity.aliases.other_mount.name}}" { capabilities = ["read"] }
            path "c/{{identity.groups.names.nobody.id}}" { capabilities = ["read"] }
            path "d/{{identity.bogus}}" { capabilities = ["read"] }
            path "ok" { capabilities = ["read"] }
            """, context: context)
        #expect(acl.capabilities(path: "ok") == ["read"])
        for prefix in ["a/", "b/", "c/", "d/"] {
            #expect(!acl.grantsAnything(underMount: prefix), "\(prefix)")
        }
    }

    @Test func groupDirectivesNeedGroups() throws {
        let noGroups = TemplateContext(entityID: "e")
        let acl = try makeACL(
            "path \"g/{{identity.groups.ids.g-1.name}}\" { capabilities = [\"read\"] }", context: noGroups)
        #expect(!acl.grantsAnything(underMount: "g/"))
        #expect(noGroups.groupIDsToNames.isEmpty)
        #expect(context.groupIDsToNames == ["g-1": "admins"])
        #expect(context.groupNamesToIDs == ["admins": "g-1"])
    }

    @Test func emptyEntityNameIsUnresolvable() throws {
        let anonymous = TemplateContext(entityID: "e-2")
        let acl = try makeACL(
            """
            path "n/{{identity.entity.name}}" { capabilities = ["read"] }
            path "i/{{identity.entity.id}}" { capabilities = ["read"] }
            """, context: anonymous)
        #expect(!acl.evaluate(.read, path: "n/").allowed)
        #expect(acl.evaluate(.read, path: "i/e-2").allowed)
    }
}

@Suite struct TemplateInjectionTests {
    /// Issue 10 reproduction 11: a login field stored as alias metadata must not widen a templated rule.
    @Test(arguments: ["*", "other-team+", "a/b", "../x", "team*"])
    func aValueWithAGlobOrSlashSkipsTheRule(value: String) throws {
        let context = TemplateContext(
            entityID: "ent-1", entityName: "alice", entityMetadata: [:],
            aliases: ["auth_azure_1": .init(id: "al-1", name: "mi", metadata: ["resource_id": value])], groups: [])
        let policy = try Policy.parse(
            name: "t",
            text: """
                path "secret/data/by-rid/{{identity.entity.aliases.auth_azure_1.metadata.resource_id}}" {
                  capabilities = ["read"]
                }
                path "shared/*" { capabilities = ["read"] }
                """)
        let acl = ACL(policies: [policy], context: context)
        #expect(!acl.evaluate(.read, path: "secret/data/by-rid/other-team-db").allowed)
        #expect(!acl.evaluate(.read, path: "secret/data/by-rid/\(value)").allowed)
        #expect(acl.evaluate(.read, path: "shared/x").allowed)
    }

    @Test func anOrdinaryValueStillSubstitutes() throws {
        let context = TemplateContext(
            entityID: "ent-1", entityName: "alice", entityMetadata: [:],
            aliases: ["auth_azure_1": .init(id: "al-1", name: "mi", metadata: ["resource_id": "vm-web"])], groups: [])
        let policy = try Policy.parse(
            name: "t",
            text: """
                path "secret/data/by-rid/{{identity.entity.aliases.auth_azure_1.metadata.resource_id}}" {
                  capabilities = ["read"]
                }
                """)
        let acl = ACL(policies: [policy], context: context)
        #expect(acl.evaluate(.read, path: "secret/data/by-rid/vm-web").allowed)
        #expect(!acl.evaluate(.read, path: "secret/data/by-rid/other-team-db").allowed)
    }
}
