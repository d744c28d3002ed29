/// The kind of a token, and the defaults a role or mount may name instead of a kind. The raw values are the
/// strings Vault's API and Coffer's stored records use.
///
/// ```swift
/// let kind = role.token.type.resolved(mountDefault: mount.config.tokenType)   // .service or .batch
/// if kind == .batch { … no accessor, not renewable … }
/// ```
public enum TokenType: String, Sendable, Codable, Equatable, CaseIterable {
    /// No preference: the mount's tuning decides (an auth method's role, an ``Auth`` that leaves it open).
    case `default`
    case service
    case batch
    /// Service unless the request asks for batch (mount tuning, token-store roles).
    case defaultService = "default-service"
    /// Batch unless the request asks for service (mount tuning, token-store roles).
    case defaultBatch = "default-batch"

    /// What a role of an auth method may name (Vault's `tokenutil`): a kind, or no preference.
    public static let authMethodChoices: [TokenType] = [.default, .service, .batch]
    /// What mount tuning and token-store roles may name: a kind, or a default kind the request can override.
    public static let defaultingChoices: [TokenType] = [.service, .batch, .defaultService, .defaultBatch]

    /// The kind a token gets: `.default` defers to `mountDefault`, a default kind becomes that kind.
    public func resolved(mountDefault: TokenType) -> TokenType {
        switch self {
        case .service, .defaultService: return .service
        case .batch, .defaultBatch: return .batch
        case .default: return mountDefault == .default ? .service : mountDefault.resolved(mountDefault: .service)
        }
    }

    /// Whether tokens of this choice are batch tokens unless a request overrides a default.
    public var prefersBatch: Bool { self == .batch || self == .defaultBatch }
}
