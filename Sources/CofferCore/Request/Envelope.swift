import CofferFramework

/// The fields of Vault's response envelope, as every successful `/v1` answer with a body carries them.
///
/// ```swift
/// let body = Envelope(requestID: id, data: ["k": "v"], warnings: [], auth: nil, mountType: "kv", injectDataAtTopLevel: false)
/// let bytes = body.serialized()
/// ```
public struct Envelope: Sendable {
    public var requestID: String
    public var data: [String: JSONValue]?
    public var warnings: [String]
    public var auth: [String: JSONValue]?
    public var mountType: String
    public var injectDataAtTopLevel: Bool
    /// Set on a wrapped response (whose other fields are then empty): Vault's `wrap_info`.
    public var wrapInfo: WrapInfo? = nil

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
                "data": .object(data), "wrap_info": wrapInfo?.json ?? .null,
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
        if let wrapInfo { writer.value(wrapInfo.json) } else { writer.null() }
        writer.endObject()
        return writer.bytes
    }
}
