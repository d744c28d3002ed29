/// Where this node stands in its HA cluster, for `sys/leader`, `sys/health` and the HTTP layer's choice between
/// serving, forwarding and redirecting (docs/ha.md).
///
/// ```swift
/// let status = core.haStatus
/// if status.role == .standby, let leader = status.leader { /* forward to leader.apiAddress */ }
/// ```
public struct HAStatus: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        /// Not in an HA cluster: this node serves everything itself.
        case disabled
        /// HA is configured but this node is sealed, so it does not compete.
        case sealed
        case standby
        case active
    }

    public var role: Role
    /// The active node's addresses (this node's own while active); nil while no active node is known.
    public var leader: HAAdvertisement?
    /// When this node became active (Unix seconds); nil unless active.
    public var activeSince: Double?
    /// Standbys redirect (`307`) instead of forwarding.
    public var disableForwarding: Bool

    public static let disabled = HAStatus(role: .disabled, leader: nil, activeSince: nil, disableForwarding: false)

    public var isEnabled: Bool { role != .disabled }
}
