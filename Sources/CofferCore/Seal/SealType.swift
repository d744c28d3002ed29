/// The kind of seal protecting the root key: Shamir (operators hold unseal key shares) or the static key
/// auto-unseal (the server holds the unseal key; operators hold recovery key shares). The raw value is what
/// `sys/seal-status` reports as `type` and what `core/seal-config` stores.
///
/// ```swift
/// SealType.shamir.usesRecoveryKeys      // false
/// SealType.staticKey.rawValue           // "static"
/// ```
public enum SealType: String, Sendable, Equatable, Codable {
    case shamir
    case staticKey = "static"

    public var usesRecoveryKeys: Bool { self != .shamir }
}
