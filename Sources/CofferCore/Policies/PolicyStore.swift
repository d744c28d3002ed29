import CofferFramework
import CofferPolicy
import CofferStorage
import Foundation
import Synchronization

/// Stores ACL policies and builds (and caches) the ACL for a set of policy names.
///
/// ```swift
/// let policies = try await PolicyStore.load(storage: barrier)
/// try await policies.write(name: "dev", text: hcl)
/// let acl = try await policies.acl(for: ["default", "dev"], entity: nil)
/// ```
public final class PolicyStore: Sendable {
    struct Stored: Codable {
        var name: String
        var text: String
    }

    let storage: StorageView
    private let parsed = Mutex<[String: Policy]>([:])
    private let acls = Mutex<[String: (context: TemplateContext?, acl: ACL)]>([:])
    private let writeLock = AsyncLock()

    init(storage: StorageView) {
        self.storage = storage
    }

    /// Opens the store and creates the built-in `default` policy on first use.
    public static func load(storage: any Storage) async throws -> PolicyStore {
        let store = PolicyStore(storage: StorageView(storage, prefix: "sys/policy/"))
        if try await store.storage.get("default") == nil {
            try await store.write(name: "default", text: BuiltinPolicies.defaultPolicyText)
        }
        return store
    }

    public static let reservedNames: Set<String> = ["response-wrapping", "control-group"]

    /// The policy, or nil when it does not exist (`root` has no stored text).
    public func policy(_ name: String) async throws -> Policy? {
        let name = name.lowercased()
        if let cached = parsed.withLock({ $0[name] }) { return cached }
        guard let stored = try await storage.getJSON(Stored.self, name) else { return nil }
        let policy = try Policy.parse(name: stored.name, text: stored.text)
        parsed.withLock { $0[name] = policy }
        return policy
    }

    /// Parses then stores; throws 400 with the parser's message on bad text.
    public func write(name: String, text: String) async throws {
        let name = name.lowercased()
        let policy: Policy
        do {
            policy = try Policy.parse(name: name, text: text)
        } catch {
            throw LogicalError.badRequest(error.message)
        }
        try await writeLock.withLock {
            try await storage.putJSON(name, Stored(name: name, text: policy.text))
            parsed.withLock { $0[name] = policy }
            acls.withLock { $0.removeAll() }
        }
    }

    public func delete(name: String) async throws {
        let name = name.lowercased()
        try await writeLock.withLock {
            try await storage.delete(name)
            parsed.withLock { _ = $0.removeValue(forKey: name) }
            acls.withLock { $0.removeAll() }
        }
    }

    /// Stored names, sorted, plus `root` last (as Vault lists them).
    public func names() async throws -> [String] {
        let stored = try await storage.list(prefix: "").filter { !$0.hasSuffix("/") }.sorted()
        return stored + ["root"]
    }

    /// The ACL for a token's policies. Policies that do not exist are ignored. ACLs are cached per
    /// policy set and entity; a cached ACL is reused only while the entity's templating facts are
    /// unchanged (the built-in `default` policy is templated, so this is the common case).
    public func acl(for names: [String], context: TemplateContext?) async throws -> ACL {
        let key = names.joined(separator: ",") + "\u{0}" + (context?.entityID ?? "")
        if let cached = acls.withLock({ $0[key] }), cached.context == context { return cached.acl }
        var policies: [Policy] = []
        for name in names {
            if name == "root" {
                policies.append(try Policy.parse(name: "root", text: ""))
                continue
            }
            if let policy = try await policy(name) { policies.append(policy) }
        }
        let acl = ACL(policies: policies, context: context)
        acls.withLock {
            if $0.count > 10_000 { $0.removeAll() }
            $0[key] = (context, acl)
        }
        return acl
    }
}
