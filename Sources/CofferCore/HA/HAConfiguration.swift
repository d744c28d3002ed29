import CofferStorage

/// How a node takes part in an HA cluster (`ha_enabled = "true"` on a store with a lock; docs/ha.md): the lock it
/// competes for, what it advertises to the others, and whether standbys forward or redirect.
///
/// ```swift
/// var configuration = CoreConfiguration()
/// configuration.ha = HAConfiguration(
///     lock: try await postgres.haLock(identity: Hex.uuid(), ttl: .seconds(15)),
///     advertisement: HAAdvertisement(apiAddress: "https://node-a:8200", clusterAddress: "https://node-a:8201"))
/// ```
public struct HAConfiguration: Sendable {
    public var lock: any HALock
    /// This node's addresses, as the active node advertises them in the lock.
    public var advertisement: HAAdvertisement
    /// Standbys answer `307` to the active node's `api_addr` instead of forwarding (`disable_forwarding`).
    public var disableForwarding: Bool
    public var timings: HATimings

    public init(
        lock: any HALock, advertisement: HAAdvertisement, disableForwarding: Bool = false, timings: HATimings? = nil
    ) {
        self.lock = lock
        self.advertisement = advertisement
        self.disableForwarding = disableForwarding
        self.timings = timings ?? HATimings(ttl: lock.ttl)
    }
}
