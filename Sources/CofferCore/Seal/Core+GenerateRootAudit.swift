import CofferFramework

/// Audit entries for `sys/generate-root/*`, which Vault audits although they are raw handlers (its
/// `handleAuditNonLogical`): the request entry before anything happens — fail-closed, so an attempt that cannot
/// be audited does not run — and the response entry, with the answer's JSON as its data, afterwards. Every
/// string in both (shares, nonce, OTP, encoded token) is HMACed by the devices as usual (docs/audit.md).
extension Core {
    /// Writes the request entry; throws (the caller refuses the request) when devices are enabled and none
    /// recorded it.
    ///
    /// ```swift
    /// try await core.auditRootGenerationRequest(request)
    /// ```
    public func auditRootGenerationRequest(_ request: CoreRequest) async throws {
        try await auditNonLogical(request)
    }

    /// Writes the response entry for `request`: the answer's members as data, or the error text.
    public func auditRootGenerationResponse(
        _ request: CoreRequest, answer: [String: JSONValue]?, error: LogicalError?
    ) async throws {
        guard audit.isEnabled else { return }
        var record = startAuditRecord(request)
        if let (route, _) = router.match("sys/") { record.mount = auditMount(route) }
        record.requestLogged = true
        record.responseData = answer
        if let error {
            record.error =
                error.isMultiError ? GoMultiError.text(error.messages) : error.messages.joined(separator: ", ")
        }
        try await audit.log(record, kind: .response)
    }
}
