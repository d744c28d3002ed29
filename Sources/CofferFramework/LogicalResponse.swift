/// What a backend answers, by what it means; the core switches on the case and never guesses from loose fields.
/// `nil` from a handler means "nothing to say" (HTTP 204, or 404 for a read or list).
///
/// ```swift
/// return LogicalResponse(data: ["keys": .strings(names)])          // the Vault envelope
/// return .list(names)                                              // the same, for a LIST
/// return LogicalResponse(statusCode: 404)                          // a bare 404, no body
/// return .login(auth)                                              // an auth method's login: the core mints the token
/// return .issuedToken(auth: block, warnings: warnings)             // the token store's create and renew
/// return .raw(document)                                            // OIDC discovery: a plain JSON document
/// ```
public enum LogicalResponse: Sendable {
    /// The Vault envelope. `status` overrides 200 (a 404 that still carries the envelope, a 202); an envelope with
    /// a status and nothing else in it (no data, no warnings) is sent as that bare status, as Vault's
    /// `RespondWithStatusCode(nil, …)` is. `injectDataAtTopLevel` copies every `data` key to the top level too, as
    /// some `sys/` endpoints do for older clients.
    case envelope(
        data: [String: JSONValue]?, warnings: [String] = [], status: Int? = nil, injectDataAtTopLevel: Bool = false)
    /// An auth method's successful login: the core turns `auth` into a token (TTLs against the mount's tuning,
    /// identity alias) and answers the envelope with its `auth` block beside `data` and `warnings`.
    case login(Auth, data: [String: JSONValue]? = nil, warnings: [String] = [])
    /// A token the token store already minted: its `auth` block, sent in the envelope as it is.
    case issuedToken(auth: [String: JSONValue], warnings: [String] = [])
    /// A JSON document sent as-is instead of the envelope, with its status.
    case raw(JSONValue, status: Int = 200)

    /// The envelope; most call sites build one this way.
    public init(
        data: [String: JSONValue]? = nil, warnings: [String] = [], statusCode: Int? = nil,
        injectDataAtTopLevel: Bool = false
    ) {
        self = .envelope(
            data: data, warnings: warnings, status: statusCode, injectDataAtTopLevel: injectDataAtTopLevel)
    }

    /// A list response (`data.keys`).
    public static func list(_ keys: [String]) -> LogicalResponse { LogicalResponse(data: ["keys": .strings(keys)]) }
}

extension LogicalResponse {
    /// The answer's `data`, for backends and tests that inspect an answer (a raw document has none).
    public var data: [String: JSONValue]? {
        switch self {
        case .envelope(let data, _, _, _), .login(_, let data, _): return data
        case .issuedToken, .raw: return nil
        }
    }

    /// The status the answer asks for, when it sets one.
    public var statusCode: Int? {
        switch self {
        case .envelope(_, _, let status, _): return status
        case .raw(_, let status): return status
        case .login, .issuedToken: return nil
        }
    }

    /// The answer's warnings. The framework appends its own (unknown parameters, replaced ones); a raw document has
    /// nowhere to carry them, so setting them on one changes nothing.
    public var warnings: [String] {
        get {
            switch self {
            case .envelope(_, let warnings, _, _), .login(_, _, let warnings), .issuedToken(_, let warnings):
                return warnings
            case .raw: return []
            }
        }
        set {
            switch self {
            case .envelope(let data, _, let status, let inject):
                self = .envelope(data: data, warnings: newValue, status: status, injectDataAtTopLevel: inject)
            case .login(let auth, let data, _): self = .login(auth, data: data, warnings: newValue)
            case .issuedToken(let auth, _): self = .issuedToken(auth: auth, warnings: newValue)
            case .raw: break
            }
        }
    }
}
