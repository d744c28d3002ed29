/// Physical keys the seal keeps beside the barrier's keyring, outside the encryption barrier
/// (docs/seal.md § Key hierarchy). The ``Barrier`` refuses to read or write them through its `Storage` API,
/// so no backend can overwrite or shadow them.
///
/// ```swift
/// let config = try await physical.get(SealStoragePaths.configuration)   // plaintext JSON
/// ```
public enum SealStoragePaths {
    /// Plaintext JSON seal configuration (type, shares, thresholds), read while sealed for `sys/seal-status`.
    public static let configuration = "core/seal-config"
    /// The root key, AES-256-GCM under the unseal key (the Shamir-combined key, or the static seal key).
    public static let rootKey = "core/hsm/barrier-unseal-keys"
    /// Static seal only: the recovery key, AES-256-GCM under the static key, to check recovery shares against.
    public static let recoveryKey = "core/recovery-key"

    public static let all: Set<String> = [configuration, rootKey, recoveryKey]
}
