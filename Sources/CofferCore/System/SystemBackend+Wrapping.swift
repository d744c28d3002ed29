import CofferFramework

/// `sys/wrapping/wrap`, `unwrap`, `lookup` and `rewrap` (docs/response-wrapping.md). `unwrap`, `lookup` and
/// `rewrap` are declared unauthenticated because the wrapping token is validated before anything else, as Vault
/// does: spending it through the ordinary token check would answer a used token with a 403 instead of Vault's
/// 400. Their handlers authenticate a third-party caller themselves.
extension SystemBackend {
    static let wrappingTokenField: [String: FieldSchema] = [
        // Raw, so a non-string token reaches the handler and gets Vault's own error text.
        "token": FieldSchema(.raw, description: "The wrapping token; defaults to the client token")
    ]

    func wrappingPaths() -> [PathDefinition] {
        [
            PathDefinition(
                "wrapping/wrap",
                operations: [
                    .update: PathOperation("Wrap the request body") { request, _ in try wrapBody(request) }
                ], synopsis: "Response-wraps an arbitrary JSON object"),
            PathDefinition(
                "wrapping/unwrap", fields: Self.wrappingTokenField,
                operations: [
                    .update: PathOperation("Unwrap a wrapped response") { request, _ in try await unwrap(request) }
                ], synopsis: "Returns a wrapped response and revokes its wrapping token", unauthenticated: true),
            PathDefinition(
                "wrapping/lookup", fields: Self.wrappingTokenField,
                operations: [
                    .read: PathOperation("Look up a wrapping token") { request, _ in try await lookupWrapping(request)
                    },
                    .update: PathOperation("Look up a wrapping token") { request, _ in
                        try await lookupWrapping(request)
                    },
                ], synopsis: "A wrapping token's creation facts, without using it", unauthenticated: true),
            PathDefinition(
                "wrapping/rewrap", fields: Self.wrappingTokenField,
                operations: [
                    .update: PathOperation("Rewrap a wrapped response") { request, _ in try await rewrap(request) }
                ], synopsis: "Moves a wrapped response to a new wrapping token", unauthenticated: true),
        ]
    }

    /// The body becomes the `data` of the response the core then wraps (it refuses the call without a wrap TTL).
    func wrapBody(_ request: LogicalRequest) throws -> LogicalResponse {
        let envelope = Envelope(
            requestID: request.id, data: request.data, warnings: [], auth: nil, mountType: request.mountType,
            injectDataAtTopLevel: true)
        return .raw(try JSONParser.parse(envelope.serialized()))
    }

    func unwrap(_ request: LogicalRequest) async throws -> LogicalResponse? {
        let (token, thirdParty) = try Core.namedWrappingToken(request)
        _ = try await core.wrappingEntry(token)
        if thirdParty { try await core.authorizeWrappingCaller(request, path: "sys/wrapping/unwrap") }
        let payload = try await core.consumeWrappingToken(token)
        guard !payload.response.isEmpty else { return nil }
        // The stored response as it was first answered, `auth` and `request_id` included.
        return .raw(try JSONParser.parse(payload.response))
    }

    func lookupWrapping(_ request: LogicalRequest) async throws -> LogicalResponse {
        let (token, _) = try Core.namedWrappingToken(request)
        return LogicalResponse(data: try await core.wrappingFacts(token))
    }

    /// A new wrapping token for the same payload, with the original TTL and creation path; the old one is spent.
    func rewrap(_ request: LogicalRequest) async throws -> LogicalResponse {
        let (token, thirdParty) = try Core.namedWrappingToken(request)
        _ = try await core.wrappingEntry(token)
        if thirdParty { try await core.authorizeWrappingCaller(request, path: "sys/wrapping/rewrap") }
        let payload = try await core.consumeWrappingToken(token)
        let info = try await core.wrap(payload.response, ttl: payload.ttl, path: payload.path)
        guard case .envelope(let envelope) = Core.wrappedResponse(info).body else { throw LogicalError.internalError }
        return .raw(try JSONParser.parse(envelope.serialized()))
    }
}
