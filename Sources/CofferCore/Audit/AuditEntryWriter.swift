import CofferFramework

/// Renders an ``AuditRecord`` as one Vault audit entry (docs/audit.md § Entry format) for one device: `time` first,
/// the other members in alphabetical order, empty members left out, secrets hashed by the device's ``AuditHasher``.
///
/// ```swift
/// let bytes = AuditEntryWriter(hasher: device.hasher, elideLists: false).entry(record, kind: .request, time: now)
/// ```
struct AuditEntryWriter {
    let hasher: AuditHasher
    let elideLists: Bool

    func entry(_ record: AuditRecord, kind: AuditRecord.Kind, time: String) -> [UInt8] {
        var members: [String: JSONValue] = ["type": .string(kind.rawValue)]
        members["auth"] = .object(callerAuth(record))
        members["request"] = .object(request(record))
        if let error = record.error, !error.isEmpty { members["error"] = .string(error) }
        if kind == .response, let response = response(record) { members["response"] = .object(response) }
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.member("time", time)
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            writer.key(key)
            writer.value(value)
        }
        writer.endObject()
        return writer.bytes
    }

    /// The top-level `auth`: the caller, with the ACL verdict.
    func callerAuth(_ record: AuditRecord) -> [String: JSONValue] {
        var auth = record.caller.map { self.auth($0) } ?? ["token_type": "default"]
        if let allowed = record.allowed {
            var results: [String: JSONValue] = ["allowed": .bool(allowed)]
            if !record.grantingPolicies.isEmpty {
                results["granting_policies"] = .array(
                    record.grantingPolicies.map {
                        .object(["name": .string($0), "namespace_id": "root", "type": "acl"])
                    }
                )
            }
            auth["policy_results"] = .object(results)
        }
        return auth
    }

    /// A token holder's fields, tokens and accessors hashed; omitted when empty as Vault's `omitempty` does.
    func auth(_ caller: AuditRecord.Caller) -> [String: JSONValue] {
        var auth: [String: JSONValue] = ["token_type": .string(caller.tokenType)]
        auth["client_token"] = hasher.token(caller.clientToken).map(JSONValue.string)
        auth["accessor"] = hasher.accessor(caller.accessor).map(JSONValue.string)
        if !caller.displayName.isEmpty { auth["display_name"] = .string(caller.displayName) }
        if !caller.policies.isEmpty { auth["policies"] = .strings(caller.policies) }
        if !caller.tokenPolicies.isEmpty { auth["token_policies"] = .strings(caller.tokenPolicies) }
        if !caller.identityPolicies.isEmpty { auth["identity_policies"] = .strings(caller.identityPolicies) }
        if !caller.metadata.isEmpty { auth["metadata"] = .stringMap(caller.metadata) }
        if !caller.entityID.isEmpty { auth["entity_id"] = .string(caller.entityID) }
        if caller.tokenTTL != 0 { auth["token_ttl"] = .int(caller.tokenTTL) }
        if caller.tokenIssueTime != 0 {
            auth["token_issue_time"] = .string(
                RFC3339.string(unixSeconds: Double(caller.tokenIssueTime), fraction: .none))
        }
        if caller.numUses != 0 { auth["num_uses"] = .int(caller.numUses) }
        if caller.remainingUses != 0 { auth["remaining_uses"] = .int(caller.remainingUses) }
        return auth
    }

    func request(_ record: AuditRecord) -> [String: JSONValue] {
        var request: [String: JSONValue] = [
            "id": .string(record.id), "operation": .string(record.operation.rawValue), "namespace": ["id": "root"],
            "path": .string(record.path),
        ]
        mountFields(record.mount, versionKey: "mount_running_version", into: &request)
        request["client_token"] = hasher.token(record.clientToken).map(JSONValue.string)
        request["client_token_accessor"] = hasher.accessor(record.caller?.accessor).map(JSONValue.string)
        if !record.data.isEmpty {
            request["data"] = .object(
                hasher.data(record.data, exempt: record.mount?.nonHMACRequestKeys ?? [], hashNumbers: true))
        }
        if let address = record.remoteAddress, !address.isEmpty { request["remote_address"] = .string(address) }
        if let port = record.remotePort, port != 0 { request["remote_port"] = .int(Int64(port)) }
        return request
    }

    func response(_ record: AuditRecord) -> [String: JSONValue]? {
        var response: [String: JSONValue] = [:]
        mountFields(record.mount, versionKey: "mount_running_plugin_version", into: &response)
        if let issued = record.responseAuth { response["auth"] = .object(auth(issued)) }
        if var data = record.responseData, !data.isEmpty {
            if elideLists, record.operation == .list { Self.elide(&data) }
            response["data"] = .object(
                hasher.data(data, exempt: record.mount?.nonHMACResponseKeys ?? [], hashNumbers: false))
        }
        if !record.warnings.isEmpty { response["warnings"] = .strings(record.warnings) }
        return response.isEmpty ? nil : response
    }

    func mountFields(_ mount: AuditRecord.Mount?, versionKey: String, into object: inout [String: JSONValue]) {
        guard let mount else { return }
        object["mount_point"] = .string(mount.point)
        object["mount_type"] = .string(mount.type)
        object["mount_accessor"] = .string(mount.accessor)
        object["mount_class"] = .string(mount.mountClass)
        if !mount.runningVersion.isEmpty { object[versionKey] = .string(mount.runningVersion) }
    }

    /// `elide_list_responses`: a list answer's `keys` and `key_info` become their sizes.
    static func elide(_ data: inout [String: JSONValue]) {
        if let keys = data["keys"]?.arrayValue { data["keys"] = .int(Int64(keys.count)) }
        if let info = data["key_info"]?.objectValue { data["key_info"] = .int(Int64(info.count)) }
    }
}
