import CofferFramework

/// A request as the HTTP layer hands it to the core: already decoded, not yet authorised.
///
/// ```swift
/// let request = CoreRequest(operation: .read, path: "secret/data/creds", token: "hvs.…")
/// let response = await core.handle(request)
/// ```
public struct CoreRequest: Sendable {
    public var id: String
    public var operation: LogicalOperation
    /// The logical path (after `/v1/`), percent-decoded.
    public var path: String
    public var data: [String: JSONValue]
    public var token: String?
    public var remoteAddress: String?
    /// Lower-cased header names.
    public var headers: [String: String]
    /// `?help=1`.
    public var isHelp: Bool

    public init(
        id: String = "", operation: LogicalOperation, path: String, data: [String: JSONValue] = [:],
        token: String? = nil, remoteAddress: String? = nil, headers: [String: String] = [:], isHelp: Bool = false
    ) {
        self.id = id
        self.operation = operation
        self.path = path
        self.data = data
        self.token = token
        self.remoteAddress = remoteAddress
        self.headers = headers
        self.isHelp = isHelp
    }
}

/// What the core answers; the HTTP layer renders it (envelope, errors or nothing).
public struct CoreResponse: Sendable {
    public enum Body: Sendable {
        /// 204 or a body-less status.
        case empty
        /// `{"errors":[…]}`.
        case errors([String])
        /// The standard Vault envelope.
        case envelope(Envelope)
        /// A JSON document sent as-is.
        case raw([UInt8])
    }

    public var status: Int
    public var body: Body

    public init(status: Int, body: Body) {
        self.status = status
        self.body = body
    }

    public static func error(_ error: LogicalError) -> CoreResponse {
        CoreResponse(status: error.status, body: .errors(error.messages))
    }
}

/// The fields of Vault's response envelope (vault-api §1.5).
public struct Envelope: Sendable {
    public var requestID: String
    public var data: [String: JSONValue]?
    public var warnings: [String]
    public var auth: [String: JSONValue]?
    public var mountType: String
    public var injectDataAtTopLevel: Bool

    public init(
        requestID: String, data: [String: JSONValue]?, warnings: [String], auth: [String: JSONValue]?,
        mountType: String, injectDataAtTopLevel: Bool
    ) {
        self.requestID = requestID
        self.data = data
        self.warnings = warnings
        self.auth = auth
        self.mountType = mountType
        self.injectDataAtTopLevel = injectDataAtTopLevel
    }

    /// Serialises the envelope; keys sorted, `data` copied to the top level when asked.
    public func serialized() -> [UInt8] {
        if injectDataAtTopLevel, let data, !data.isEmpty {
            var object: [String: JSONValue] = [
                "request_id": .string(requestID), "lease_id": "", "renewable": false, "lease_duration": 0,
                "data": .object(data), "wrap_info": .null,
                "warnings": warnings.isEmpty ? .null : .strings(warnings), "auth": auth.map { .object($0) } ?? .null,
                "mount_type": .string(mountType),
            ]
            for (key, value) in data where object[key] == nil { object[key] = value }
            return JSONValue.object(object).serialized()
        }
        // The usual shape, streamed in sorted key order without building the outer object.
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.key("auth")
        if let auth { writer.value(.object(auth)) } else { writer.null() }
        writer.key("data")
        if let data { writer.value(.object(data)) } else { writer.null() }
        writer.member("lease_duration", Int64(0))
        writer.member("lease_id", "")
        writer.member("mount_type", mountType)
        writer.member("renewable", false)
        writer.member("request_id", requestID)
        writer.key("warnings")
        if warnings.isEmpty { writer.null() } else { writer.strings(warnings) }
        writer.key("wrap_info")
        writer.null()
        writer.endObject()
        return writer.bytes
    }
}
