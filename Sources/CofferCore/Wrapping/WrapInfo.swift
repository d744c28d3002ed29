import CofferFramework

/// What a wrapped response tells the client about its wrapping token: Vault's `wrap_info` object
/// (docs/response-wrapping.md).
///
/// ```swift
/// let info = WrapInfo(token: id, accessor: entry.accessor, ttl: 300, creationTime: core.now,
///                     creationPath: "secret/data/creds", wrappedAccessor: "")
/// info.json  // {"accessor":…,"creation_path":…,"creation_time":"2026-…Z","token":"hvs.…","ttl":300}
/// ```
public struct WrapInfo: Sendable, Equatable {
    public var token: String
    public var accessor: String
    /// Seconds the wrapping token lives.
    public var ttl: Int64
    /// Unix seconds.
    public var creationTime: Double
    /// The logical path of the wrapped request (for a rewrap: the original one).
    public var creationPath: String
    /// The accessor of a token (or AppRole secret id) inside the wrapped response; empty otherwise.
    public var wrappedAccessor: String

    public init(
        token: String, accessor: String, ttl: Int64, creationTime: Double, creationPath: String,
        wrappedAccessor: String
    ) {
        self.token = token
        self.accessor = accessor
        self.ttl = ttl
        self.creationTime = creationTime
        self.creationPath = creationPath
        self.wrappedAccessor = wrappedAccessor
    }

    /// RFC 3339 with nanoseconds, UTC: the Go client decodes it as a `time.Time`.
    public var creationTimeText: String { RFC3339.string(unixSeconds: creationTime) }

    /// The `wrap_info` object; `wrapped_accessor` only when there is one, as Vault omits it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "token": .string(token), "accessor": .string(accessor), "ttl": .int(ttl),
            "creation_time": .string(creationTimeText), "creation_path": .string(creationPath),
        ]
        if !wrappedAccessor.isEmpty { object["wrapped_accessor"] = .string(wrappedAccessor) }
        return .object(object)
    }
}
