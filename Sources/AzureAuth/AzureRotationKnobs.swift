/// Timing and fault points of root rotation, fixed when a mount's backend is built. Production uses the defaults;
/// tests pass compressed timing (or the halt fault) through ``AzureAuthMethod/factory(environment:logger:rotation:makeServicesFactory:)``,
/// so no environment variable on a real host can change them.
///
/// ```swift
/// AzureAuthMethod.factory(environment: env, logger: logger, rotation: AzureRotationKnobs(propagation: 1, tick: 0.2)) { … }
/// ```
public struct AzureRotationKnobs: Sendable {
    /// Seconds a new secret waits before it is used (Entra ID replicates new credentials lazily).
    public let propagation: Double
    /// Seconds between the periodic passes that promote, remove abandoned passwords, roll back interrupted rotations
    /// and run due automated rotations.
    public let tick: Double
    /// Seconds a rotation's write-ahead entry must age before a periodic pass of the same instance rolls it back
    /// (entries of an earlier instance are rolled back at once). Longer than any rotation's Graph calls.
    public let walMinimumAge: Double
    /// Fault injection: stop a rotation right after the password is added and recorded, as a crash would.
    public let haltAfterPasswordAdded: Bool

    /// Values are kept within sane bounds (propagation 0 s–1 week, tick 10 ms–1 day, minimum age 0 s–1 week; NaN
    /// means the default), so date arithmetic and sleeps built from them cannot trap.
    public init(
        propagation: Double = 60, tick: Double = 10, walMinimumAge: Double = 600, haltAfterPasswordAdded: Bool = false
    ) {
        self.propagation = propagation.isNaN ? 60 : min(max(propagation, 0), 604_800)
        self.tick = tick.isNaN ? 10 : min(max(tick, 0.01), 86_400)
        self.walMinimumAge = walMinimumAge.isNaN ? 600 : min(max(walMinimumAge, 0), 604_800)
        self.haltAfterPasswordAdded = haltAfterPasswordAdded
    }

    var tickInterval: Duration { .milliseconds(Int64((tick * 1000).rounded())) }
    var walMinimumAgeDuration: Duration { .milliseconds(Int64((walMinimumAge * 1000).rounded())) }
}
