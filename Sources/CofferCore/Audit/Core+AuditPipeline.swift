import CofferFramework
import Foundation

/// The request pipeline's audit steps (docs/audit.md § Which requests are audited): the record is started in
/// `Core.handle`, filled in by `process` (mount, caller, verdict), the request entry is written just before the
/// backend runs, and the response entry after the answer is known.
extension Core {
    func auditMount(_ route: RouteEntry) -> AuditRecord.Mount {
        let mount = route.mount
        var audited = AuditRecord.Mount(
            point: mount.routePrefix, type: mount.type, accessor: mount.accessor,
            mountClass: mount.kind == .credential ? "auth" : "secret",
            runningVersion: "v\(CofferVersion.string)+builtin.coffer")
        audited.nonHMACRequestKeys = Set(mount.config.auditNonHMACRequestKeys)
        audited.nonHMACResponseKeys = Set(mount.config.auditNonHMACResponseKeys)
        return audited
    }

    /// A token holder as the audit entry shows it.
    func auditCaller(_ entry: TokenEntry, clientToken: String?) async -> AuditRecord.Caller {
        var caller = AuditRecord.Caller()
        let identity: (all: [String], identity: [String]) =
            (try? await effectivePolicies(entry)) ?? (all: entry.policies, identity: [])
        caller.clientToken = clientToken
        caller.accessor = entry.accessor
        caller.displayName = entry.displayName
        caller.policies = identity.all
        caller.tokenPolicies = entry.policies
        caller.identityPolicies = identity.identity
        caller.metadata = entry.meta ?? [:]
        caller.entityID = entry.entityID
        caller.tokenType = entry.type.rawValue
        caller.tokenTTL = entry.ttl
        caller.tokenIssueTime = Int64(exactly: entry.creationTime.rounded(.down)) ?? 0
        caller.remainingUses = max(entry.numUses, 0)
        return caller
    }

    /// Writes the request entry before the backend runs. On failure the record is dropped (no response entry) and
    /// the request is refused with 500 `internal error`, having changed nothing.
    func auditRequestEntry(_ record: inout AuditRecord?) async throws {
        guard let current = record else { return }
        do {
            try await audit.log(current, kind: .request)
            record?.requestLogged = true
        } catch {
            record = nil
            throw error
        }
    }

    /// Completes the record from the answer and writes what is still due: the request entry when the pipeline
    /// stopped before it (a denial, an invalid token, an unknown path), then the response entry. When nothing
    /// recorded them the client gets 500 `internal error`, although the backend already ran (as in Vault).
    func auditResponseEntry(_ record: inout AuditRecord, _ response: CoreResponse) async -> CoreResponse {
        await fillAnswer(&record, response)
        do {
            try await writeOutstandingEntries(record)
        } catch {
            return .error(.internalError)
        }
        return response
    }

    func fillAnswer(_ record: inout AuditRecord, _ response: CoreResponse) async {
        switch response.body {
        case .errors(let error):
            record.error =
                error.isMultiError ? GoMultiError.text(error.messages) : error.messages.joined(separator: ", ")
        case .envelope(let envelope):
            record.responseData = envelope.data
            record.warnings = envelope.warnings
            if let block = envelope.auth { record.responseAuth = await issuedAuth(block) }
            record.wrapInfo = envelope.wrapInfo
        case .empty, .raw:
            break
        }
    }

    func writeOutstandingEntries(_ record: AuditRecord) async throws {
        if !record.requestLogged { try await audit.log(record, kind: .request) }
        try await audit.log(record, kind: .response)
    }

    /// The `auth` a login or token create handed out, read back from the store for the fields the block lacks.
    func issuedAuth(_ block: [String: JSONValue]) async -> AuditRecord.Caller {
        let token = block["client_token"]?.stringValue
        if let token, let entry = try? await unsealed().tokens.lookup(id: token, now: now) {
            var caller = await auditCaller(entry, clientToken: token)
            caller.policies = block["policies"]?.stringArray ?? caller.policies
            caller.numUses = entry.numUses
            caller.remainingUses = 0
            return caller
        }
        var caller = AuditRecord.Caller()
        caller.clientToken = token
        caller.accessor = block["accessor"]?.stringValue
        caller.policies = block["policies"]?.stringArray ?? []
        caller.tokenPolicies = block["token_policies"]?.stringArray ?? []
        caller.tokenType = block["token_type"]?.stringValue ?? "default"
        caller.tokenTTL = block["lease_duration"]?.intValue ?? 0
        return caller
    }

    /// For raw endpoints served outside `Core.handle` (`sys/seal`, `sys/step-down`, `sys/generate-root/*`): writes
    /// the request entry, and the response entry when `response` is given. Throws ``LogicalError/internalError``
    /// when devices are enabled and none recorded it; the caller must then refuse the request.
    ///
    /// ```swift
    /// try await core.auditNonLogical(CoreRequest(id: id, operation: .update, path: "sys/seal", token: token))
    /// ```
    public func auditNonLogical(_ request: CoreRequest, response: CoreResponse? = nil) async throws {
        guard audit.isEnabled else { return }
        var record = startAuditRecord(request)
        if let (route, _) = router.match("sys/") { record.mount = auditMount(route) }
        if let entry = try? await resolveToken(request.token, remoteAddress: request.remoteAddress) {
            record.caller = await auditCaller(entry, clientToken: request.token)
        }
        guard let response else {
            try await audit.log(record, kind: .request)
            return
        }
        await fillAnswer(&record, response)
        try await writeOutstandingEntries(record)
    }

    func startAuditRecord(_ request: CoreRequest) -> AuditRecord {
        var record = AuditRecord(
            id: request.id, operation: request.operation, path: request.path, data: request.data,
            clientToken: request.token, remoteAddress: request.remoteAddress)
        record.remotePort = request.remotePort
        return record
    }
}
