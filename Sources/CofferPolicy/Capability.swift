/// A capability word that a policy's `path` block may grant.
///
/// ```swift
/// Capability(rawValue: "read")        // .read
/// Capability.update.rawValue          // "update"
/// ```
public enum Capability: String, Sendable, CaseIterable {
    case create, read, update, patch, delete, list, sudo, deny, subscribe, recover

    /// The bit this capability occupies in a ``CapabilitySet``.
    var bit: UInt16 {
        switch self {
        case .create: 1 << 0
        case .read: 1 << 1
        case .update: 1 << 2
        case .patch: 1 << 3
        case .delete: 1 << 4
        case .list: 1 << 5
        case .sudo: 1 << 6
        case .deny: 1 << 7
        case .subscribe: 1 << 8
        case .recover: 1 << 9
        }
    }
}

/// Capabilities as a bitmask, so merging and checking on the request path never allocates.
struct CapabilitySet: Sendable, Equatable {
    var bits: UInt16 = 0

    static let denyOnly = CapabilitySet(bits: Capability.deny.bit)

    /// What counts as "grants something" for mount preflight: Vault ignores subscribe/recover there.
    static let mountAccessMask: UInt16 = [Capability.create, .read, .update, .patch, .delete, .list, .sudo]
        .reduce(0) { $0 | $1.bit }

    func contains(_ capability: Capability) -> Bool { bits & capability.bit != 0 }
    mutating func insert(_ capability: Capability) { bits |= capability.bit }
    var isDeny: Bool { contains(.deny) }
    var isEmpty: Bool { bits == 0 }

    var asSet: Set<Capability> { Set(Capability.allCases.filter(contains)) }

    /// Names sorted alphabetically, as `sys/capabilities*` reports them.
    var sortedNames: [String] { Capability.allCases.filter(contains).map(\.rawValue).sorted() }
}
