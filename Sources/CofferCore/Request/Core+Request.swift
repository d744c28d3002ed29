import CofferFramework
import CofferPolicy
import CofferStorage
import Foundation

extension Core {
    /// The calling token's entry: the one the pipeline resolved and put in the request, else a fresh lookup (for a
    /// request built outside the pipeline).
    func callerEntry(_ request: LogicalRequest) async throws -> TokenEntry? {
        if let entry = request.tokenEntry as? TokenEntry { return entry }
        return try await resolveToken(request.clientToken, remoteAddress: request.remoteAddress)
    }

    /// Normalises a logical path: collapses `//`, refuses `..` segments and NUL bytes.
    static func normalize(_ path: String) throws -> String {
        // Byte-wise: leading and repeated slashes collapse, `.` and `..` segments are refused, and a path that
        // needs no change (nearly every one) is returned as it came.
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        var changed = false
        var segmentStart = 0
        func checkSegment() throws {
            let segment = out[segmentStart...]
            if segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8) {
                throw LogicalError.badRequest("path cannot contain parent references")
            }
        }
        for byte in path.utf8 {
            // Storage keys cannot hold NUL; refusing it here gives every backend the same 400.
            if byte == 0 { throw LogicalError.badRequest("path cannot contain a NUL byte") }
            guard byte == UInt8(ascii: "/") else {
                out.append(byte)
                continue
            }
            if out.isEmpty || out.last == UInt8(ascii: "/") {
                changed = true
                continue
            }
            try checkSegment()
            out.append(byte)
            segmentStart = out.count
        }
        try checkSegment()
        return changed ? String(decoding: out, as: UTF8.self) : path
    }

    /// Runs one request through the pipeline; never throws (errors become ``LogicalError`` values the HTTP layer
    /// renders). With audit devices enabled, the request and response entries are written around it
    /// (`Audit/Core+AuditPipeline.swift`).
    public func handle(_ request: CoreRequest) async -> CoreResponse {
        let started = ContinuousClock.now
        defer { recordRequest(request, since: started) }
        var record: AuditRecord? = audit.isEnabled ? startAuditRecord(request) : nil
        let response = await respond(request, audit: &record)
        guard var record else { return response }
        return await auditResponseEntry(&record, response)
    }

    func respond(_ request: CoreRequest, audit record: inout AuditRecord?) async -> CoreResponse {
        do {
            // Wrapped before the response entry: the audit log records the wrapped answer, not the secret in it.
            return try await wrapIfAsked(try await process(request, audit: &record), to: request)
        } catch let error as LogicalError {
            return .error(error)
        } catch StorageError.sealed {
            return .error(.sealed)
        } catch is HAFencedError {
            // This node lost the active role while serving: nothing was written; another node serves it now.
            logger.warning("request refused: this node is no longer active", metadata: ["request_id": "\(request.id)"])
            return .error(LogicalError(status: 503, messages: [Self.standbyMessage]))
        } catch StorageError.unavailable(let why) {
            // A storage outage (docs/storage.md): 503, so clients retry, rather than a 500 or a hang.
            logger.warning("storage unavailable", metadata: ["request_id": "\(request.id)", "error": "\(why)"])
            return .error(LogicalError(status: 503, messages: ["storage unavailable"]))
        } catch {
            logger.error(
                "request failed",
                metadata: ["request_id": "\(request.id)", "path": "\(request.path)", "error": "\(error)"])
            return .error(.internalError)
        }
    }

    func process(_ request: CoreRequest, audit record: inout AuditRecord?) async throws -> CoreResponse {
        let unsealed = try unsealed()
        var path = try Self.normalize(request.path)
        if request.operation == .list, !path.hasSuffix("/") { path += "/" }
        if [.create, .update, .patch].contains(request.operation), path.hasSuffix("/") {
            throw LogicalError.badRequest("cannot write to a path ending in '/'")
        }
        guard let (route, relativePath) = router.match(path) else {
            throw LogicalError(status: 404, messages: ["no handler for route \"\(path)\". route entry not found."])
        }
        let backend = route.backend
        record?.mount = auditMount(route)
        record?.path = path
        var caller: TokenEntry? = nil
        var lastUse = false
        defer {
            if lastUse, let entry = caller {
                Task { try? await unsealed.tokens.finishLastUse(entry) }
            }
        }
        if !backend.isUnauthenticated(path: relativePath) {
            let used: (entry: TokenEntry, lastUse: Bool)
            do {
                used = try await authenticate(request, tokens: unsealed.tokens)
            } catch {
                record?.allowed = false
                throw error
            }
            caller = used.entry
            lastUse = used.lastUse
            if record != nil { record?.caller = await auditCaller(used.entry, clientToken: request.token) }
        }
        var logical = logicalRequest(request, route: route, relativePath: relativePath)
        if request.isHelp, let help = backend.help(for: relativePath) {
            return try await answer(help, to: request, route: route)
        }
        if logical.operation == .update, let exists = try await backend.existenceCheck(logical), !exists {
            logical.operation = .create
        }
        record?.operation = logical.operation
        if let caller {
            do {
                try await authorize(
                    &logical, caller: caller, path: path, data: request.data, backend: backend,
                    wrapTTL: request.wrapTTL > 0 ? request.wrapTTL : nil)
            } catch {
                record?.allowed = false
                throw error
            }
            if caller.isRoot { record?.grantingPolicies = ["root"] }
        }
        record?.allowed = true
        try await auditRequestEntry(&record)
        guard let response = try await backend.handle(logical) else {
            // Vault: a read or list that finds nothing is a 404 with an empty error list.
            if logical.operation == .read || logical.operation == .list { throw LogicalError.notFound }
            return CoreResponse(status: 204, body: .empty)
        }
        return try await answer(response, to: request, operation: logical.operation, route: route)
    }

    /// Resolves and uses the request's token: the entry as it stands after this use, and whether this was its last.
    func authenticate(_ request: CoreRequest, tokens: TokenStore) async throws -> (entry: TokenEntry, lastUse: Bool) {
        let started = ContinuousClock.now
        defer { metrics.tokenChecked(milliseconds: CofferMetrics.milliseconds(since: started)) }
        guard let token = request.token, !token.isEmpty else { throw LogicalError.missingToken }
        guard let entry = try await resolveToken(token, remoteAddress: request.remoteAddress) else {
            throw LogicalError.invalidToken
        }
        guard let used = try await tokens.use(entry) else { throw LogicalError.invalidToken }
        return (used.entry, used.lastUse)
    }

    /// The request as the matched backend sees it, before authorisation.
    func logicalRequest(_ request: CoreRequest, route: RouteEntry, relativePath: String) -> LogicalRequest {
        var logical = LogicalRequest(
            id: request.id, operation: request.operation, path: relativePath, data: request.data,
            mountPoint: route.mount.routePrefix, mountAccessor: route.mount.accessor, mountType: route.mount.type,
            clientToken: request.token, remoteAddress: request.remoteAddress, headers: request.headers,
            storage: route.storage)
        logical.mountMaxTTL =
            TokenTTL.Limits(
                config: route.mount.config, systemDefault: configuration.defaultLeaseTTL,
                systemMax: configuration.maxLeaseTTL
            ).mountMax
        return logical
    }

    /// Checks the caller's ACL (and sudo, where the backend declares it) for the final operation, then hands the
    /// backend the caller's entry and identity.
    func authorize(
        _ logical: inout LogicalRequest, caller: TokenEntry, path: String, data: [String: JSONValue],
        backend: any LogicalBackend, wrapTTL: Int64? = nil
    ) async throws {
        let acl = try await acl(for: caller)
        // `wrapTTL` is checked against the matched rule's `min_wrapping_ttl`/`max_wrapping_ttl`.
        let result = acl.evaluate(logical.operation, path: path, data: data.isEmpty ? nil : data, wrapTTL: wrapTTL)
        guard result.allowed else { throw LogicalError.permissionDenied }
        if backend.isSudoRequired(path: logical.path), !result.rootPrivileges {
            throw LogicalError.permissionDenied
        }
        logical.tokenEntry = caller
        logical.identity = RequestIdentity(
            accessor: caller.accessor, policies: caller.policies, entityID: caller.entityID,
            displayName: caller.displayName, metadata: caller.meta ?? [:], isRoot: acl.isRoot,
            rootPrivileges: result.rootPrivileges)
    }

    /// What the client receives for a backend's answer: one case each, nothing inferred from loose fields.
    func answer(
        _ response: LogicalResponse, to request: CoreRequest, operation: LogicalOperation? = nil, route: RouteEntry
    ) async throws -> CoreResponse {
        switch response {
        case .raw(let document, let status):
            return CoreResponse(status: status, body: .raw(document.serialized()))
        case .issuedToken(let auth, let warnings):
            return envelope(request, route: route, data: nil, warnings: warnings, auth: auth)
        case .login(let auth, let data, let warnings):
            // Only an auth method mints login tokens; anything else returning one is a bug, not a login.
            guard route.mount.kind == .credential else {
                logger.error(
                    "a secrets engine answered with a login", metadata: ["request_id": "\(request.id)"])
                throw LogicalError.internalError
            }
            let (block, more) = try await issueLoginToken(auth, mount: route.mount, request: request)
            return envelope(request, route: route, data: data, warnings: warnings + more, auth: block)
        case .envelope(let data, let warnings, let status, let inject):
            if let status {
                // Nothing but a status: Vault answers with the bare status code.
                if data == nil, warnings.isEmpty { return CoreResponse(status: status, body: .empty) }
            } else if operation == .list, warnings.isEmpty, Self.isEmptyList(data) {
                throw LogicalError.notFound
            }
            return envelope(
                request, route: route, data: data, warnings: warnings, status: status ?? 200,
                injectDataAtTopLevel: inject)
        }
    }

    /// A list answer with no keys and nothing else: Vault turns it into a 404.
    static func isEmptyList(_ data: [String: JSONValue]?) -> Bool {
        let keys = data?["keys"]?.arrayValue ?? []
        return keys.isEmpty && (data ?? [:]).keys.allSatisfy { $0 == "keys" }
    }

    func envelope(
        _ request: CoreRequest, route: RouteEntry, data: [String: JSONValue]?, warnings: [String],
        auth: [String: JSONValue]? = nil, status: Int = 200, injectDataAtTopLevel: Bool = false
    ) -> CoreResponse {
        let body = Envelope(
            requestID: request.id, data: data, warnings: warnings, auth: auth, mountType: route.mount.type,
            injectDataAtTopLevel: injectDataAtTopLevel)
        return CoreResponse(status: status, body: .envelope(body))
    }
}
