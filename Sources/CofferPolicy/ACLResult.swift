/// The outcome of checking one request against an ``ACL``.
///
/// ```swift
/// let result = acl.evaluate(.read, path: "sys/audit")
/// if !result.allowed || (rootProtected && !result.rootPrivileges) { throw LogicalError.permissionDenied }
/// ```
public struct ACLResult: Sendable, Equatable {
    public var allowed: Bool
    /// `sudo` on the rule that matched the path, or a root ACL; reported even when `allowed` is false.
    public var rootPrivileges: Bool
    /// Everything the matched rule grants (`[.deny]` for a deny rule, empty when no rule matched).
    public var capabilities: Set<Capability>
    public var isRoot: Bool

    public init(allowed: Bool, rootPrivileges: Bool, capabilities: Set<Capability>, isRoot: Bool = false) {
        self.allowed = allowed
        self.rootPrivileges = rootPrivileges
        self.capabilities = capabilities
        self.isRoot = isRoot
    }

    static let noMatch = ACLResult(allowed: false, rootPrivileges: false, capabilities: [])
    static let root = ACLResult(
        allowed: true, rootPrivileges: true, capabilities: Set(Capability.allCases.filter { $0 != .deny }), isRoot: true
    )
}
