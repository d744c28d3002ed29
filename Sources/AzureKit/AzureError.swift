/// Why an Azure operation failed, in the terms the auth method answers with.
///
/// ```swift
/// throw AzureError.rejected("oidc: expected audience \"https://management.azure.com/\" got [\"x\"]")  // 400
/// throw AzureError.upstream(call: "ARM GET virtualMachines", status: 503, detail: "…")                // 502
/// ```
public enum AzureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The token or request is not acceptable (the caller answers 400).
    case rejected(String)
    /// Azure answered that the named resource does not exist (ARM 404; not retried; a client error).
    case notFound(call: String, detail: String)
    /// Azure could not be reached or failed (the caller answers 502). Never contains a secret.
    case upstream(call: String, status: Int?, detail: String)
    /// Local configuration is unusable (missing tenant, unknown cloud, …): a 400 on config write.
    case configuration(String)

    public var description: String {
        switch self {
        case .rejected(let message): return message
        case .notFound(let call, let detail): return "\(call): 404 \(detail)"
        case .upstream(let call, let status, let detail):
            return "\(call) failed" + (status.map { " with status \($0)" } ?? "")
                + (detail.isEmpty ? "" : ": \(detail)")
        case .configuration(let message): return message
        }
    }
}
