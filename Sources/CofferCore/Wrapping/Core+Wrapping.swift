import CofferFramework
import CofferStorage

/// Response wrapping (docs/response-wrapping.md): a successful answer to a request carrying `X-Vault-Wrap-TTL`
/// is kept in a new single-use wrapping token's cubbyhole, and the client receives only `wrap_info`.
extension Core {
    static let invalidWrappingToken = "wrapping token is not valid or does not exist"
    static let wrapPath = "sys/wrapping/wrap"
    /// Answers that carry their own wrapping rules, never wrapped again by the header.
    static let unwrappablePaths: Set<String> = ["sys/wrapping/lookup", "sys/wrapping/rewrap"]
    /// Vault sets no ceiling on a wrap TTL; this one (100 years) only keeps expiry arithmetic finite.
    static let maxWrapTTL: Int64 = 100 * 365 * 86_400

    /// Wraps `response` when the request asked for it and it succeeded with a body; errors and 204s pass as they
    /// are. `sys/wrapping/wrap` without a wrap TTL is refused here, after authorisation, as Vault's handler does.
    func wrapIfAsked(_ response: CoreResponse, to request: CoreRequest) async throws -> CoreResponse {
        // Help (`?help=1`) describes the path; it is neither wrapped nor refused for lacking a wrap TTL.
        guard !request.isHelp else { return response }
        guard request.wrapTTL > 0 || request.path.hasSuffix("wrapping/wrap") else { return response }
        guard (200..<300).contains(response.status) else { return response }
        let path = try Self.normalize(request.path)
        guard request.wrapTTL > 0 else {
            if path == Self.wrapPath { throw LogicalError.badRequest("endpoint requires response wrapping to be used") }
            return response
        }
        guard !Self.unwrappablePaths.contains(path) else { return response }
        let bytes: [UInt8]
        switch response.body {
        case .envelope(let envelope): bytes = envelope.serialized()
        case .raw(let raw): bytes = raw
        case .empty, .errors: return response
        }
        let info = try await wrap(bytes, ttl: request.wrapTTL, path: path)
        return Self.wrappedResponse(info)
    }

    /// Stores `bytes` (a whole response document) in a new wrapping token's cubbyhole: `response` holds the
    /// document as a string and `wrapinfo` its creation facts, as Vault lays them out.
    func wrap(_ bytes: [UInt8], ttl: Int64, path: String) async throws -> WrapInfo {
        let ttl = min(ttl, Self.maxWrapTTL)
        let issued = try await TokenIssuer(core: self).issueWrappingToken(ttl: ttl, path: path)
        let info = WrapInfo(
            token: issued.id, accessor: issued.entry.accessor, ttl: ttl, creationTime: issued.entry.creationTime,
            creationPath: path, wrappedAccessor: Self.wrappedAccessor(in: bytes))
        do {
            let cubbyhole = try wrappingCubbyhole(issued.entry.idHash)
            let document: JSONValue = ["response": .string(String(decoding: bytes, as: UTF8.self))]
            try await cubbyhole.put("response", value: document.serialized())
            let facts: JSONValue = [
                "creation_ttl": .int(ttl), "creation_time": .string(info.creationTimeText),
                "creation_path": .string(path),
            ]
            try await cubbyhole.put("wrapinfo", value: facts.serialized())
        } catch {
            // A wrapping token whose payload was not stored must not outlive this failure.
            try? await unsealed().tokens.revokeTree(hash: issued.entry.idHash)
            throw error
        }
        return info
    }

    /// Vault's wrapped answer: an envelope whose only content is `wrap_info` (no request id, data or warnings).
    static func wrappedResponse(_ info: WrapInfo) -> CoreResponse {
        var envelope = Envelope(
            requestID: "", data: nil, warnings: [], auth: nil, mountType: "", injectDataAtTopLevel: false)
        envelope.wrapInfo = info
        return CoreResponse(status: 200, body: .envelope(envelope))
    }

    /// The accessor of the token a wrapped login or token create carries, else an AppRole secret id's accessor.
    static func wrappedAccessor(in bytes: [UInt8]) -> String {
        guard let document = try? JSONParser.parse(bytes).objectValue else { return "" }
        if let accessor = document["auth"]?.objectValue?["accessor"]?.stringValue { return accessor }
        guard document["mount_type"]?.stringValue == "approle" else { return "" }
        return document["data"]?.objectValue?["secret_id_accessor"]?.stringValue ?? ""
    }

    /// The wrapping token's cubbyhole, where its payload lives and dies with it.
    func wrappingCubbyhole(_ tokenHash: String) throws -> StorageView {
        guard let (route, _) = router.match("cubbyhole/"), route.mount.type == "cubbyhole" else {
            throw LogicalError.internalError
        }
        return StorageView(route.storage, prefix: tokenHash + "/")
    }
}
