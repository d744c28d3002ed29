import CofferPolicy
import Testing

@Suite struct DefaultPolicyTests {
    let policy: Policy
    init() throws { policy = try Policy.parse(name: "default", text: BuiltinPolicies.defaultPolicyText) }

    @Test func parsesAndIsTemplated() {
        #expect(policy.usesTemplates)
        #expect(policy.paths.contains("auth/token/lookup-self"))
        #expect(policy.paths.count == 18)
    }

    @Test func allowsTokenSelfService() {
        let acl = ACL(policies: [policy])
        #expect(acl.evaluate(.read, path: "auth/token/lookup-self").allowed)
        #expect(acl.evaluate(.update, path: "auth/token/renew-self").allowed)
        #expect(acl.evaluate(.update, path: "auth/token/revoke-self").allowed)
        #expect(acl.evaluate(.update, path: "sys/capabilities-self").allowed)
        #expect(acl.evaluate(.update, path: "sys/leases/renew").allowed)
        #expect(acl.evaluate(.list, path: "cubbyhole/").allowed)
        #expect(acl.evaluate(.update, path: "sys/tools/hash/sha2-256").allowed)
        #expect(acl.evaluate(.read, path: "identity/oidc/provider/default/authorize").allowed)
        #expect(!acl.evaluate(.update, path: "auth/token/lookup-self").allowed)
    }

    @Test func deniesEverythingElse() {
        let acl = ACL(policies: [policy])
        #expect(!acl.evaluate(.read, path: "secret/data/x").allowed)
        #expect(acl.capabilities(path: "secret/data/x") == ["deny"])
        #expect(!acl.evaluate(.read, path: "sys/audit").allowed)
        #expect(!acl.grantsAnything(underMount: "secret/"))
        #expect(acl.grantsAnything(underMount: "cubbyhole/"))
        // No entity: the identity blocks are skipped.
        #expect(!acl.evaluate(.read, path: "identity/entity/id/").allowed)
    }

    @Test func identityBlocksResolveWithAnEntity() {
        let acl = ACL(policies: [policy], context: TemplateContext(entityID: "e-9", entityName: "svc"))
        #expect(acl.evaluate(.read, path: "identity/entity/id/e-9").allowed)
        #expect(acl.evaluate(.read, path: "identity/entity/name/svc").allowed)
        #expect(!acl.evaluate(.read, path: "identity/entity/id/e-1").allowed)
    }
}
