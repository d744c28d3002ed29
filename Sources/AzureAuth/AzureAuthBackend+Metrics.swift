import CofferFramework
import Metrics

extension AzureAuthBackend {
    /// The role label of a login's metrics: a configured role's name, `(unknown)` for anything else, so a caller
    /// cannot mint label values (docs/metrics.md).
    static let unknownRoleLabel = "(unknown)"

    /// ``login(_:_:)`` counted as `coffer_azure_login_total{role,outcome}` and timed as
    /// `coffer_azure_login_duration_seconds{outcome}`, through the process-wide swift-metrics backend. Outcomes:
    /// `success`, `denied` (the request or the token was refused) and `error` (Azure or Coffer failed).
    func meteredLogin(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let started = ContinuousClock.now
        do {
            let response = try await login(request, fields)
            await recordLogin(request, fields, outcome: "success", since: started)
            return response
        } catch {
            let status = (error as? LogicalError)?.status ?? 500
            await recordLogin(request, fields, outcome: status < 500 ? "denied" : "error", since: started)
            throw error
        }
    }

    private func recordLogin(
        _ request: LogicalRequest, _ fields: FieldData, outcome: String, since started: ContinuousClock.Instant
    ) async {
        let name = ((try? fields.string("role")) ?? "").lowercased()
        var role = Self.unknownRoleLabel
        if !name.isEmpty, (try? await loadRole(request.storage, name)) != nil { role = name }
        loginMetrics.record(role: role, outcome: outcome, duration: ContinuousClock.now - started)
    }
}
