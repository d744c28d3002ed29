/// The calling token's stored entry, as the core resolved (and, for a limited-use token, counted) it before the
/// backend runs. It travels in ``LogicalRequest/tokenEntry`` — as Vault's `logical.Request` carries its token
/// entry — so a backend that needs more than ``RequestIdentity`` (the token store's `lookup-self`, `create`'s
/// parent) reads it there instead of resolving the token again. The framework sees only what every backend may
/// use; the core's token store conforms its own entry type and reads it back whole.
///
/// ```swift
/// if let caller = request.tokenEntry { logger.debug("caller", metadata: ["accessor": "\(caller.accessor)"]) }
/// guard let parent = request.tokenEntry as? TokenEntry else { throw LogicalError.invalidToken }   // in CofferCore
/// ```
public protocol CallerTokenEntry: Sendable {
    var accessor: String { get }
    var policies: [String] { get }
    var entityID: String { get }
    var displayName: String { get }
}
