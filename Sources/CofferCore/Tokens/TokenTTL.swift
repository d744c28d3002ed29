import CofferFramework

/// Vault's token TTL arithmetic (docs/tokens.md § TTL rules, § Renewal).
///
/// ```swift
/// let limits = TokenTTL.Limits(mountDefault: 2764800, mountMax: 2764800)
/// let (ttl, warning) = TokenTTL.initial(requested: 3600, period: 0, explicitMax: 0, methodMax: 0, limits: limits)
/// ```
public enum TokenTTL {
    /// System defaults: 768h (32 days).
    public static let systemDefault: Int64 = 2_764_800

    /// Effective TTL bounds of the mount a token belongs to.
    public struct Limits: Sendable {
        public var mountDefault: Int64
        public var mountMax: Int64

        public init(mountDefault: Int64, mountMax: Int64) {
            self.mountDefault = mountDefault
            self.mountMax = mountMax
        }

        /// From a mount's tuning and the server's configured defaults (0 = inherit).
        public init(config: MountConfig, systemDefault: Int64, systemMax: Int64) {
            let max = config.maxLeaseTTL > 0 ? config.maxLeaseTTL : systemMax
            var def = config.defaultLeaseTTL > 0 ? config.defaultLeaseTTL : systemDefault
            if def > max { def = max }
            self.init(mountDefault: def, mountMax: max)
        }
    }

    static func cappedWarning(_ requested: Int64, _ max: Int64) -> String {
        "TTL of \"\(DurationParser.shortGoString(requested))\" exceeded the effective max_ttl of \"\(DurationParser.shortGoString(max))\"; TTL value is capped accordingly"
    }

    /// The maximum lifetime from issue: the mount max reduced by a method/role max and an explicit max.
    public static func effectiveMax(explicitMax: Int64, methodMax: Int64, limits: Limits) -> Int64 {
        var result = limits.mountMax
        if methodMax > 0, methodMax < result { result = methodMax }
        if explicitMax > 0, explicitMax < result { result = explicitMax }
        return result
    }

    /// TTL at creation; the warning is set when the TTL was capped.
    public static func initial(requested: Int64, period: Int64, explicitMax: Int64, methodMax: Int64, limits: Limits)
        -> (ttl: Int64, warning: String?)
    {
        if period > 0 {
            // Periodic tokens are bounded only by an explicit max.
            if explicitMax > 0, period > explicitMax { return (explicitMax, cappedWarning(period, explicitMax)) }
            return (period, nil)
        }
        let max = effectiveMax(explicitMax: explicitMax, methodMax: methodMax, limits: limits)
        let ttl = requested > 0 ? requested : limits.mountDefault
        if ttl > max { return (max, cappedWarning(ttl, max)) }
        return (ttl, nil)
    }

    /// TTL granted by a renewal at `now` for a token issued at `creationTime`.
    public static func renewal(
        increment: Int64, baseTTL: Int64, period: Int64, explicitMax: Int64, methodMax: Int64, creationTime: Double,
        now: Double, limits: Limits
    ) -> (ttl: Int64, warning: String?, hardExpiry: Double?) {
        // Remaining whole seconds, truncated as Vault reports them (never more than is really left),
        // while `hardExpiry` keeps the token's real end exactly at the cap.
        func left(_ lifetime: Int64) -> Int64 {
            max(Int64((Double(lifetime) - (now - creationTime)).rounded(.down)), 0)
        }
        if period > 0 {
            let ttl = increment > 0 ? increment : period
            if explicitMax > 0 {
                let remaining = left(explicitMax)
                if ttl > remaining {
                    return (remaining, cappedWarning(ttl, explicitMax), creationTime + Double(explicitMax))
                }
            }
            return (ttl, nil, nil)
        }
        let maxLife = effectiveMax(explicitMax: explicitMax, methodMax: methodMax, limits: limits)
        let ttl = increment > 0 ? increment : (baseTTL > 0 ? baseTTL : limits.mountDefault)
        let remaining = left(maxLife)
        if ttl > remaining { return (remaining, cappedWarning(ttl, maxLife), creationTime + Double(maxLife)) }
        return (ttl, nil, nil)
    }
}
