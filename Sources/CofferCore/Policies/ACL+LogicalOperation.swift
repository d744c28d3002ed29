import CofferFramework
import CofferJSON
import CofferPolicy

/// Checks a framework request against an ``ACL``. `CofferPolicy` speaks only ``ACLOperation`` so it builds
/// without the framework (ARCHITECTURE.md); this is the one place a ``LogicalOperation`` is translated.
///
/// ```swift
/// let result = acl.evaluate(logical.operation, path: "secret/data/app", data: body)
/// ```
extension ACL {
    public func evaluate(
        _ operation: LogicalOperation, path: String, data: [String: JSONValue]? = nil, wrapTTL: Int64? = nil
    ) -> ACLResult {
        evaluate(ACLOperation(operation), path: path, data: data, wrapTTL: wrapTTL)
    }
}

extension ACLOperation {
    /// `HEAD` needs what `GET` needs: Vault checks `sys/health`-style header requests as reads.
    public init(_ operation: LogicalOperation) {
        switch operation {
        case .read, .header: self = .read
        case .list: self = .list
        case .create: self = .create
        case .update: self = .update
        case .patch: self = .patch
        case .delete: self = .delete
        }
    }
}
