import CofferFramework
import Foundation

/// `sys/leases/*` and the legacy `sys/renew`, `sys/revoke*` aliases, for token leases (docs/leases.md).
///
///     PUT  sys/leases/lookup {"lease_id": "auth/token/create/h3f9…"}   → id, issue_time, expire_time, ttl, …
///     PUT  sys/leases/revoke-prefix/auth/userpass                      → 204, every token of the mount revoked
extension SystemBackend {
    /// The fields of each lease endpoint: lookup takes only the id; renew and revoke also take it from the URL.
    static func leaseFields(_ operation: String) -> [String: FieldSchema] {
        var fields = ["lease_id": FieldSchema(.string, description: "The lease id")]
        guard operation != "lookup" else { return fields }
        fields["url_lease_id"] = FieldSchema(.string, description: "The lease id, in the URL")
        if operation == "renew" {
            fields["increment"] = FieldSchema(.duration, description: "Requested extension of the lease, in seconds")
        } else {
            fields["sync"] = FieldSchema(
                .bool, default: true, description: "Revoke before answering (204) rather than 202")
        }
        return fields
    }

    static var prefixFields: [String: FieldSchema] {
        [
            "prefix": FieldSchema(.string, description: "The lease id prefix to revoke"),
            "sync": FieldSchema(.bool, default: true, description: "Revoke before answering (204) rather than 202"),
        ]
    }

    func leasePaths() -> [PathDefinition] {
        let lookupFields = Self.leaseFields("lookup")
        let renewFields = Self.leaseFields("renew")
        let revokeFields = Self.leaseFields("revoke")
        let lookup = PathOperation("Look up a lease") { _, fields in try await lookupLease(fields) }
        let renew = PathOperation("Renew a lease") { _, fields in try await renewLease(fields) }
        let revoke = PathOperation("Revoke a lease") { _, fields in try await revokeLease(fields) }
        return [
            PathDefinition(
                "leases/lookup", fields: lookupFields, operations: [.update: lookup], synopsis: "Look up a lease"),
            PathDefinition(
                "leases/lookup/{prefix*}", fields: ["prefix": FieldSchema(.string, description: "Lease id prefix")],
                operations: [
                    .list: PathOperation("List lease ids under a prefix") { _, fields in
                        let keys = try await core.leaseKeys(prefix: fields.string("prefix"))
                        return keys.isEmpty ? nil : .list(keys)
                    }
                ], synopsis: "List leases under a prefix", sudo: true),
            PathDefinition(
                "leases/renew/?", fields: renewFields, operations: [.update: renew], synopsis: "Renew a lease"),
            PathDefinition(
                "leases/renew/{url_lease_id*}", fields: renewFields, operations: [.update: renew],
                synopsis: "Renew a lease"),
            PathDefinition("renew/?", fields: renewFields, operations: [.update: renew], synopsis: "Renew a lease"),
            PathDefinition(
                "renew/{url_lease_id*}", fields: renewFields, operations: [.update: renew], synopsis: "Renew a lease"),
            PathDefinition(
                "leases/revoke/?", fields: revokeFields, operations: [.update: revoke], synopsis: "Revoke a lease"),
            PathDefinition(
                "leases/revoke/{url_lease_id*}", fields: revokeFields, operations: [.update: revoke],
                synopsis: "Revoke a lease"),
            PathDefinition("revoke/?", fields: revokeFields, operations: [.update: revoke], synopsis: "Revoke a lease"),
            PathDefinition(
                "revoke/{url_lease_id*}", fields: revokeFields, operations: [.update: revoke],
                synopsis: "Revoke a lease"
            ),
        ] + leasePrefixPaths()
    }

    func leasePrefixPaths() -> [PathDefinition] {
        let prefixFields = Self.prefixFields
        func prefixPath(_ pattern: String, force: Bool) -> PathDefinition {
            PathDefinition(
                pattern, fields: prefixFields,
                operations: [
                    .update: PathOperation(force ? "Revoke leases, ignoring errors" : "Revoke leases by prefix") {
                        _, fields in try await revokePrefix(fields, force: force)
                    }
                ], synopsis: force ? "Revoke every lease under a prefix, ignoring errors" : "Revoke leases by prefix",
                sudo: true)
        }
        return [
            prefixPath("leases/revoke-prefix/{prefix*}", force: false),
            prefixPath("revoke-prefix/{prefix*}", force: false),
            prefixPath("leases/revoke-force/{prefix*}", force: true),
            prefixPath("revoke-force/{prefix*}", force: true),
            PathDefinition(
                "leases/tidy",
                operations: [
                    .update: PathOperation("Tidy the lease indexes") { _, _ in
                        let clock = core.configuration.clock
                        _ = try core.unsealed().tokens.startTidy(clock: clock, logger: core.logger)
                        return LogicalResponse(
                            warnings: [
                                "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."
                            ], statusCode: 202)
                    }
                ], synopsis: "Remove lease index entries left without their token"),
        ]
    }

    /// The lease id from the body, else from the URL.
    func leaseID(_ fields: FieldData) throws -> String {
        var id = try fields.string("lease_id")
        if id.isEmpty, fields.schema["url_lease_id"] != nil { id = try fields.string("url_lease_id") }
        guard !id.isEmpty else { throw LogicalError.badRequest("lease_id must be specified") }
        return id
    }

    func lookupLease(_ fields: FieldData) async throws -> LogicalResponse {
        let id = try leaseID(fields)
        guard let entry = try await core.tokenLease(id) else { throw LogicalError.badRequest("invalid lease") }
        let now = core.now
        var data: [String: JSONValue] = [
            "id": .string(id), "issue_time": .string(RFC3339.string(unixSeconds: entry.creationTime)),
            "expire_time": .null, "last_renewal": .null, "ttl": .int(0),
            "renewable": .bool(entry.renewable && !entry.isExpired(now: now)),
        ]
        if let last = entry.lastRenewalTime { data["last_renewal"] = .string(RFC3339.string(unixSeconds: last)) }
        if let expire = entry.expireTime {
            data["expire_time"] = .string(RFC3339.string(unixSeconds: expire))
            data["ttl"] = .int(entry.remainingTTL(now: now))
        }
        return LogicalResponse(data: data)
    }

    /// Vault's order of checks for a renewal; a live token lease is sent to `auth/token/renew*`.
    func renewLease(_ fields: FieldData) async throws -> LogicalResponse {
        let id = try leaseID(fields)
        guard let entry = try await core.tokenLease(id) else { throw LogicalError.badRequest("lease not found") }
        if entry.isExpired(now: core.now) { throw LogicalError.badRequest("lease expired") }
        if !entry.renewable { throw LogicalError.badRequest("lease is not renewable") }
        throw LogicalError.badRequest("tokens cannot be renewed through this endpoint")
    }

    /// Revokes a token lease (the token and its children); an unknown lease has nothing to revoke.
    func revokeLease(_ fields: FieldData) async throws -> LogicalResponse? {
        let id = try leaseID(fields)
        if let entry = try await core.tokenLease(id) {
            try await core.unsealed().tokens.revokeTree(hash: entry.idHash)
        }
        return try fields.bool("sync") ? nil : LogicalResponse(statusCode: 202)
    }

    func revokePrefix(_ fields: FieldData, force: Bool) async throws -> LogicalResponse? {
        let prefix = try fields.string("prefix")
        guard !prefix.isEmpty else { throw LogicalError.unsupportedPath }
        let sync = try fields.bool("sync")
        try await core.revokeTokenLeases(prefix: prefix, force: force)
        return force || sync ? nil : LogicalResponse(statusCode: 202)
    }
}
