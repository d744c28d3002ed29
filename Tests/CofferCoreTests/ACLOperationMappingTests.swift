import CofferCore
import CofferFramework
import CofferPolicy
import Testing

/// The core's translation of framework operations into the policy's ``ACLOperation`` (moved here from the
/// policy tests when `CofferPolicy` stopped depending on the framework).
@Suite struct ACLOperationMappingTests {
    @Test func headerChecksAsReadAndEveryOtherOperationNeedsItsOwnCapability() throws {
        let policy = try Policy.parse(name: "p0", text: "path \"a\" { capabilities = [\"read\", \"patch\"] }")
        let acl = ACL(policies: [policy])
        #expect(acl.evaluate(LogicalOperation.read, path: "a").allowed)
        #expect(acl.evaluate(LogicalOperation.header, path: "a").allowed)
        #expect(acl.evaluate(LogicalOperation.patch, path: "a").allowed)
        for operation in [LogicalOperation.create, .update, .delete, .list] {
            #expect(!acl.evaluate(operation, path: "a").allowed, "\(operation)")
        }
    }

    @Test func eachLogicalOperationMapsOntoTheSameNamedACLOperation() {
        #expect(ACLOperation(LogicalOperation.header) == .read)
        let named: [LogicalOperation: ACLOperation] = [
            .read: .read, .list: .list, .create: .create, .update: .update, .patch: .patch, .delete: .delete,
        ]
        for (logical, expected) in named { #expect(ACLOperation(logical) == expected, "\(logical)") }
    }
}
