import CofferFramework
import CofferPolicy
import CofferStorage
import Foundation

extension Core {
    /// The token entry the pipeline resolved for the request being handled, so the token store's
    /// own endpoints (lookup-self, renew-self, …) need not resolve it a second time.
    @TaskLocal static var requestToken: TokenEntry?

    /// The resolved entry of the calling token: the pipeline's, else a fresh lookup.
    func callerEntry(_ request: LogicalRequest) async throws -> TokenEntry? {
        if let entry = Core.requestToken { return entry }
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

    /// Runs one request through the pipeline; never throws (errors become Vault error bodies).
    public func handle(_ request: CoreRequest) async -> CoreResponse {
        do {
            return try await process(request)
        } catch let error as LogicalError {
            return .error(error)
        } catch StorageError.sealed {
            return .error(.sealed)
        } catch {
            logger.error(
                "request failed",
                metadata: ["request_id": "\(request.id)", "path": "\(request.path)", "error": "\(error)"])
            return .error(.internalError)
        }
    }

    func process(_ request: CoreRequest) async throws -> CoreResponse {
        let unsealed = try unsealed()
        var path = try Self.normalize(request.path)
        var operation = request.operation
        if operation == .list, !path.hasSuffix("/") { path += "/" }
        if [.create, .update, .patch].contains(operation), path.hasSuffix("/") {
            throw LogicalError.badRequest("cannot write to a path ending in '/'")
        }
        guard let (route, relativePath) = router.match(path) else {
            throw LogicalError(status: 404, messages: ["no handler for route \"\(path)\". route entry not found."])
        }
        let backend = route.backend
        let unauthenticated = backend.isUnauthenticated(path: relativePath)

        var tokenEntry: TokenEntry? = nil
        var lastUse = false
        defer {
            if lastUse, let entry = tokenEntry {
                Task { try? await unsealed.tokens.finishLastUse(entry) }
            }
        }
        if !unauthenticated {
            guard let token = request.token, !token.isEmpty else { throw LogicalError.missingToken }
            guard let entry = try await resolveToken(token, remoteAddress: request.remoteAddress) else {
                throw LogicalError.invalidToken
            }
            guard let used = try await unsealed.tokens.use(entry) else { throw LogicalError.invalidToken }
            tokenEntry = used.entry
            lastUse = used.lastUse
        }

        var logical = LogicalRequest(
            id: request.id, operation: operation, path: relativePath, data: request.data,
            mountPoint: route.mount.routePrefix, mountAccessor: route.mount.accessor, mountType: route.mount.type,
            clientToken: request.token, identity: nil, remoteAddress: request.remoteAddress, headers: request.headers,
            storage: route.storage)
        logical.mountMaxTTL =
            TokenTTL.Limits(
                config: route.mount.config, systemDefault: configuration.defaultLeaseTTL,
                systemMax: configuration.maxLeaseTTL
            ).mountMax

        if request.isHelp, let help = backend.help(for: relativePath) {
            return envelope(request, help, route: route)
        }

        if operation == .update, let exists = try await backend.existenceCheck(logical), !exists {
            operation = .create
            logical.operation = .create
        }

        if let entry = tokenEntry {
            let acl = try await acl(for: entry)
            let result = acl.evaluate(operation, path: path, data: request.data.isEmpty ? nil : request.data)
            guard result.allowed else { throw LogicalError.permissionDenied }
            if backend.isSudoRequired(path: relativePath), !result.rootPrivileges {
                throw LogicalError.permissionDenied
            }
            logical.identity = RequestIdentity(
                accessor: entry.accessor, policies: entry.policies, entityID: entry.entityID,
                displayName: entry.displayName, metadata: entry.meta ?? [:], isRoot: acl.isRoot,
                rootPrivileges: result.rootPrivileges)
        }

        let handled = try await Core.$requestToken.withValue(tokenEntry) { try await backend.handle(logical) }
        guard var response = handled else {
            // Vault: a read or list that finds nothing is a 404 with an empty error list.
            if operation == .read || operation == .list { throw LogicalError.notFound }
            return CoreResponse(status: 204, body: .empty)
        }
        if let auth = response.auth, route.mount.kind == .credential, route.mount.type != "token" {
            let (authBlock, warnings) = try await issueLoginToken(auth, mount: route.mount, request: request)
            response.auth = nil
            var result = envelope(request, response, route: route)
            if case .envelope(var body) = result.body {
                body.auth = authBlock
                body.warnings += warnings
                result.body = .envelope(body)
            }
            return result
        }
        if operation == .list, response.statusCode == nil, response.warnings.isEmpty {
            let keys = response.data?["keys"]?.arrayValue ?? []
            let others = (response.data ?? [:]).keys.filter { $0 != "keys" }
            if keys.isEmpty, others.isEmpty { throw LogicalError.notFound }
        }
        return envelope(request, response, route: route)
    }

    func envelope(
        _ request: CoreRequest, _ response: LogicalResponse, route: RouteEntry, auth: [String: JSONValue]? = nil
    )
        -> CoreResponse
    {
        if let raw = response.rawBody {
            return CoreResponse(status: response.statusCode ?? 200, body: .raw(raw.serialized()))
        }
        let body = Envelope(
            requestID: request.id, data: response.data, warnings: response.warnings, auth: auth ?? response.issuedAuth,
            mountType: route.mount.type, injectDataAtTopLevel: response.injectDataAtTopLevel)
        if let status = response.statusCode, status == 404, response.data == nil, response.warnings.isEmpty,
            response.issuedAuth == nil
        {
            return CoreResponse(status: 404, body: .empty)
        }
        return CoreResponse(status: response.statusCode ?? 200, body: .envelope(body))
    }
}
