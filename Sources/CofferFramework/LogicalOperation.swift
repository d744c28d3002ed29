/// What a request does, independent of the HTTP verb that carried it.
public enum LogicalOperation: String, Sendable, Hashable, CaseIterable, Codable {
    case read, list, create, update, patch, delete
    /// `HEAD`: only meaningful for `sys/health`.
    case header
}
