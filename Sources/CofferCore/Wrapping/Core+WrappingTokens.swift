import CofferFramework
import CofferStorage

/// Reading and spending wrapping tokens for `sys/wrapping/unwrap`, `lookup` and `rewrap`
/// (docs/response-wrapping.md).
extension Core {
    /// What a spent wrapping token held: the wrapped response document and its creation facts.
    struct UnwrappedPayload {
        var response: [UInt8]
        var ttl: Int64
        var path: String
    }

    /// The wrapping token a `sys/wrapping/*` request names: `token` in the body, else the client token. The
    /// second value says whether it came from the body and differs from the caller's own token.
    static func namedWrappingToken(_ request: LogicalRequest) throws -> (token: String, thirdParty: Bool) {
        if let value = request.data["token"] {
            guard let token = value.stringValue else {
                throw LogicalError(
                    status: 403, messages: ["error validating wrapping token: could not decode token in request body"])
            }
            guard !token.isEmpty else {
                throw LogicalError(
                    status: 403, messages: ["error validating wrapping token: empty token in request body"])
            }
            return (token, token != request.clientToken)
        }
        guard let token = request.clientToken, !token.isEmpty else {
            throw LogicalError(status: 403, messages: ["error validating wrapping token: token is empty"])
        }
        return (token, false)
    }

    /// The live wrapping token's entry; anything else (unknown, spent, expired, an ordinary token) is Vault's 400.
    func wrappingEntry(_ token: String) async throws -> TokenEntry {
        guard let entry = try await unsealed().tokens.lookup(id: token, now: now),
            entry.policies == [TokenIssuer.wrappingPolicy], !entry.isBatch
        else { throw LogicalError.badRequest(Self.invalidWrappingToken) }
        return entry
    }

    /// A third party unwrapping someone's wrapping token must itself hold a valid token allowed `update` on
    /// `path`; its use is counted like any request's.
    func authorizeWrappingCaller(_ request: LogicalRequest, path: String) async throws {
        let tokens = try unsealed().tokens
        let caller = CoreRequest(
            id: request.id, operation: .update, path: path, token: request.clientToken,
            remoteAddress: request.remoteAddress)
        let used = try await authenticate(caller, tokens: tokens)
        defer { if used.lastUse { Task { try? await tokens.finishLastUse(used.entry) } } }
        let acl = try await acl(for: used.entry)
        guard acl.evaluate(LogicalOperation.update, path: path).allowed else { throw LogicalError.permissionDenied }
    }

    /// The creation facts of a live wrapping token, without spending its use.
    func wrappingFacts(_ token: String) async throws -> [String: JSONValue] {
        let entry = try await wrappingEntry(token)
        guard let bytes = try await wrappingCubbyhole(entry.idHash).get("wrapinfo"),
            let facts = try JSONValue.parseObject(bytes)
        else { throw LogicalError.badRequest(Self.invalidWrappingToken) }
        return facts
    }

    /// Spends the wrapping token's single use and returns its payload; the token (and so its cubbyhole) is then
    /// revoked. The use is counted under the token's lock, so of concurrent callers exactly one gets the payload
    /// and the others Vault's 400.
    func consumeWrappingToken(_ token: String) async throws -> UnwrappedPayload {
        let entry = try await wrappingEntry(token)
        let tokens = try unsealed().tokens
        guard try await tokens.use(entry) != nil else { throw LogicalError.badRequest(Self.invalidWrappingToken) }
        let cubbyhole = try wrappingCubbyhole(entry.idHash)
        let stored = try await cubbyhole.get("response")
        let facts = try await cubbyhole.get("wrapinfo").flatMap { try JSONValue.parseObject($0) } ?? [:]
        try await tokens.revokeTree(hash: entry.idHash)
        guard let stored, let document = try JSONValue.parseObject(stored),
            let response = document["response"]?.stringValue
        else { throw LogicalError.badRequest(Self.invalidWrappingToken) }
        return UnwrappedPayload(
            response: Array(response.utf8), ttl: facts["creation_ttl"]?.intValue ?? entry.creationTTL,
            path: facts["creation_path"]?.stringValue ?? entry.path)
    }
}
