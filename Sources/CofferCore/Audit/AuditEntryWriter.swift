import CofferFramework

/// Renders an ``AuditRecord`` as one Vault audit entry (docs/audit.md § Entry format) for one device: `time` first,
/// the other members in alphabetical order, empty members left out, secrets hashed by the device's ``AuditHasher``.
/// It streams straight into a ``JSONWriter`` (every audited request renders two entries, so no dictionary trees):
/// the fixed members are written in their alphabetical order by hand, and data maps sorted as ``JSONValue`` does.
///
/// ```swift
/// let bytes = AuditEntryWriter(hasher: device.hasher, elideLists: false).entry(record, kind: .request, time: now)
/// ```
struct AuditEntryWriter {
    let hasher: AuditHasher
    let elideLists: Bool

    func entry(_ record: AuditRecord, kind: AuditRecord.Kind, time: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 1536)
        write(record, kind: kind, time: time, to: &writer)
        return writer.bytes
    }

    /// Top level: `time`, then `auth`, `error`, `request`, `response`, `type`.
    func write(_ record: AuditRecord, kind: AuditRecord.Kind, time: String, to writer: inout JSONWriter) {
        // The caller's token and accessor appear in both `auth` and `request`: each is hashed once.
        let callerToken = hasher.token(record.caller?.clientToken)
        let callerAccessor = hasher.accessor(record.caller?.accessor)
        let requestToken =
            record.clientToken == record.caller?.clientToken ? callerToken : hasher.token(record.clientToken)
        writer.beginObject()
        writer.member("time", time)
        writer.key("auth")
        callerAuth(record, token: callerToken, accessor: callerAccessor, to: &writer)
        if let error = record.error, !error.isEmpty { writer.member("error", error) }
        writer.key("request")
        request(record, token: requestToken, accessor: callerAccessor, to: &writer)
        if kind == .response, Self.hasResponse(record) {
            writer.key("response")
            response(record, to: &writer)
        }
        writer.member("type", kind.rawValue)
        writer.endObject()
    }

    /// The top-level `auth`: the caller (or just `token_type` `default`), with the ACL verdict.
    func callerAuth(_ record: AuditRecord, token: String?, accessor: String?, to writer: inout JSONWriter) {
        auth(record.caller, token: token, accessor: accessor, to: &writer) { writer in
            guard let allowed = record.allowed else { return }
            writer.key("policy_results")
            writer.beginObject()
            writer.member("allowed", allowed)
            if !record.grantingPolicies.isEmpty {
                writer.key("granting_policies")
                writer.beginArray()
                for name in record.grantingPolicies {
                    writer.beginObject()
                    writer.member("name", name)
                    writer.member("namespace_id", "root")
                    writer.member("type", "acl")
                    writer.endObject()
                }
                writer.endArray()
            }
            writer.endObject()
        }
    }

    /// A token holder's fields in alphabetical order, tokens and accessors hashed, empty ones omitted as Vault's
    /// `omitempty` does; `policyResults` writes the member that sorts between `policies` and `remaining_uses`.
    /// `token` and `accessor` are the caller's, already hashed.
    func auth(
        _ caller: AuditRecord.Caller?, token: String?, accessor: String?, to writer: inout JSONWriter,
        policyResults: (inout JSONWriter) -> Void = { _ in }
    ) {
        writer.beginObject()
        guard let caller else {
            policyResults(&writer)
            writer.member("token_type", "default")
            return writer.endObject()
        }
        if let accessor { writer.member("accessor", accessor) }
        if let token { writer.member("client_token", token) }
        if !caller.displayName.isEmpty { writer.member("display_name", caller.displayName) }
        if !caller.entityID.isEmpty { writer.member("entity_id", caller.entityID) }
        if !caller.identityPolicies.isEmpty { writer.member("identity_policies", caller.identityPolicies) }
        if !caller.metadata.isEmpty { writer.member("metadata", caller.metadata) }
        if caller.numUses != 0 { writer.member("num_uses", caller.numUses) }
        if !caller.policies.isEmpty { writer.member("policies", caller.policies) }
        policyResults(&writer)
        if caller.remainingUses != 0 { writer.member("remaining_uses", caller.remainingUses) }
        if caller.tokenIssueTime != 0 {
            writer.member(
                "token_issue_time", RFC3339.string(unixSeconds: Double(caller.tokenIssueTime), fraction: .none))
        }
        if !caller.tokenPolicies.isEmpty { writer.member("token_policies", caller.tokenPolicies) }
        if caller.tokenTTL != 0 { writer.member("token_ttl", caller.tokenTTL) }
        writer.member("token_type", caller.tokenType)
        writer.endObject()
    }

    /// `token` and `accessor` are the request's token and its caller's accessor, already hashed.
    func request(_ record: AuditRecord, token: String?, accessor: String?, to writer: inout JSONWriter) {
        writer.beginObject()
        if let token { writer.member("client_token", token) }
        if let accessor { writer.member("client_token_accessor", accessor) }
        if !record.data.isEmpty {
            writer.key("data")
            hasher.write(record.data, exempt: record.mount?.nonHMACRequestKeys ?? [], hashNumbers: true, to: &writer)
        }
        writer.member("id", record.id)
        mountFields(record.mount, versionKey: "mount_running_version", to: &writer)
        writer.key("namespace")
        writer.beginObject()
        writer.member("id", "root")
        writer.endObject()
        writer.member("operation", record.operation.rawValue)
        writer.member("path", record.path)
        if let address = record.remoteAddress, !address.isEmpty { writer.member("remote_address", address) }
        if let port = record.remotePort, port != 0 { writer.member("remote_port", Int64(port)) }
        writer.endObject()
    }

    /// Whether the response entry has a `response` member (Vault leaves an empty one out).
    static func hasResponse(_ record: AuditRecord) -> Bool {
        record.mount != nil || record.responseAuth != nil || !(record.responseData?.isEmpty ?? true)
            || !record.warnings.isEmpty || record.wrapInfo != nil
    }

    func response(_ record: AuditRecord, to writer: inout JSONWriter) {
        writer.beginObject()
        if let issued = record.responseAuth {
            writer.key("auth")
            auth(
                issued, token: hasher.token(issued.clientToken), accessor: hasher.accessor(issued.accessor),
                to: &writer)
        }
        if var data = record.responseData, !data.isEmpty {
            if elideLists, record.operation == .list { Self.elide(&data) }
            writer.key("data")
            hasher.write(data, exempt: record.mount?.nonHMACResponseKeys ?? [], hashNumbers: false, to: &writer)
        }
        mountFields(record.mount, versionKey: "mount_running_plugin_version", to: &writer)
        if !record.warnings.isEmpty { writer.member("warnings", record.warnings) }
        if let info = record.wrapInfo { wrapInfo(info, to: &writer) }
        writer.endObject()
    }

    /// `wrap_info` with the wrapping token hashed (and its accessors, as `hmac_accessor` says), so the log can
    /// show whether a wrapping token was ever used without holding it.
    func wrapInfo(_ info: WrapInfo, to writer: inout JSONWriter) {
        writer.key("wrap_info")
        writer.beginObject()
        writer.member("accessor", hasher.accessor(info.accessor) ?? "")
        writer.member("creation_path", info.creationPath)
        writer.member("creation_time", info.creationTimeText)
        writer.member("token", hasher.token(info.token) ?? "")
        writer.member("ttl", info.ttl)
        if !info.wrappedAccessor.isEmpty {
            writer.member("wrapped_accessor", hasher.accessor(info.wrappedAccessor) ?? "")
        }
        writer.endObject()
    }

    /// `mount_accessor`, `mount_class`, `mount_point`, the version, `mount_type`: alphabetical, as they sort among
    /// their neighbours in both the request and the response.
    func mountFields(_ mount: AuditRecord.Mount?, versionKey: String, to writer: inout JSONWriter) {
        guard let mount else { return }
        writer.member("mount_accessor", mount.accessor)
        writer.member("mount_class", mount.mountClass)
        writer.member("mount_point", mount.point)
        if !mount.runningVersion.isEmpty { writer.member(versionKey, mount.runningVersion) }
        writer.member("mount_type", mount.type)
    }

    /// `elide_list_responses`: a list answer's `keys` and `key_info` become their sizes.
    static func elide(_ data: inout [String: JSONValue]) {
        if let keys = data["keys"]?.arrayValue { data["keys"] = .int(Int64(keys.count)) }
        if let info = data["key_info"]?.objectValue { data["key_info"] = .int(Int64(info.count)) }
    }
}
