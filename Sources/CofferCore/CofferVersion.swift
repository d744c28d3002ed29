/// Coffer's own version, reported in `sys/health`, `sys/seal-status` and the `User-Agent`.
public enum CofferVersion {
    public static let string = "0.1.0"
    /// The Vault API version Coffer speaks; clients compare against it.
    public static let vaultCompatible = "1.19.0"
}
