/// What a request asks an ``ACL`` to allow: the policy's own vocabulary, so this module needs nothing from
/// the backend framework. The core maps each framework operation onto one of these (`HEAD` checks as `read`).
///
/// ```swift
/// acl.evaluate(.update, path: "secret/data/app", data: body)
/// acl.evaluate(.list, path: "secret/metadata/")   // also tries the path without its trailing `/`
/// ```
public enum ACLOperation: Sendable, Hashable, CaseIterable {
    case read, list, create, update, patch, delete

    /// The capability a rule must grant for this operation.
    var requiredCapability: Capability {
        switch self {
        case .read: .read
        case .list: .list
        case .create: .create
        case .update: .update
        case .patch: .patch
        case .delete: .delete
        }
    }
}
