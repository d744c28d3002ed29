import CofferFramework

extension Core {
    /// Vault's checks on a tune that changes a mount's TTLs (`sys/mounts/<p>/tune`, `sys/auth/<p>/tune`); 0 means
    /// "the system value". A max above the system max is accepted: the mount's own max then applies to it
    /// (docs/system.md § Tuning).
    ///
    /// ```swift
    /// try checkTunedTTLs(config)   // 400 "backend max lease TTL of 3600 would be less than …"
    /// ```
    func checkTunedTTLs(_ config: MountConfig) throws {
        let newDefault = config.defaultLeaseTTL
        let newMax = config.maxLeaseTTL
        if newDefault != 0, newMax == 0, newDefault > configuration.maxLeaseTTL {
            throw LogicalError.badRequest(
                "new backend default lease TTL of \(newDefault) greater than system max lease TTL of \(configuration.maxLeaseTTL)"
            )
        }
        if newDefault != 0, newMax != 0, newDefault > newMax {
            throw LogicalError.badRequest(
                "backend max lease TTL of \(newMax) would be less than backend default lease TTL of \(newDefault)")
        }
    }
}
