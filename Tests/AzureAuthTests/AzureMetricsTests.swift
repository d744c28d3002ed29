import AzureSimulator
import CofferCore
import CofferFramework
import CofferTesting
import Metrics
import Testing

/// Azure logins through the simulator move the `coffer_azure_*` metrics and Vault's token metrics, and no label
/// carries the JWT, the token or an Azure id (docs/metrics.md). The Azure method reports through the process-wide
/// swift-metrics API; binding this core's factory to the test's task stands in for the server's bootstrap.
@Suite struct AzureMetricsTests {
    @Test func loginsMoveAzureAndTokenMetrics() async throws {
        try await withAzureLab { lab in
            let metrics = lab.core.metrics
            try await withMetricsFactory(metrics.factory) {
                try await lab.role("dev-role", AzureSeedFlowTests.devRole)
                let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
                let first = await lab.login(role: "dev-role", jwt: jwt, vm: "vm-web")
                try #require(first.status == 200, "\(first.errors ?? [])")
                let second = await lab.login(role: "dev-role", jwt: jwt, vm: "vm-web")
                try #require(second.status == 200, "\(second.errors ?? [])")
                let unknown = await lab.login(role: "no-such-role", jwt: jwt, vm: "vm-web")
                #expect(unknown.status == 400)
                let exposition = try PrometheusTextParser.parse(metrics.registry.emitToString())

                #expect(exposition.value("coffer_azure_login_total", ["role": "dev-role", "outcome": "success"]) == 2)
                #expect(
                    exposition.value("coffer_azure_login_total", ["role": "(unknown)", "outcome": "denied"]) == 1)
                #expect(exposition.value("coffer_azure_login_duration_seconds_count", ["outcome": "success"]) == 2)
                #expect(exposition.value("coffer_azure_arm_requests_total", ["status": "200"]) >= 2)
                #expect(exposition.value("coffer_azure_arm_request_duration_seconds_count") >= 2)
                #expect(exposition.value("coffer_azure_jwks_requests_total", ["status": "200"]) == 1)
                #expect(exposition.value("coffer_azure_discovery_requests_total", ["status": "200"]) == 1)
                #expect(exposition.value("coffer_azure_jwks_cache_total", ["result": "miss"]) == 1)
                #expect(exposition.value("coffer_azure_jwks_cache_total", ["result": "hit"]) == 1)
                #expect(exposition.value("coffer_azure_jwks_keys_cached") >= 1)
                #expect(exposition.value("coffer_azure_jwks_last_refresh_timestamp_seconds") > 1_700_000_000)
                #expect(
                    exposition.value(
                        "vault_token_creation",
                        ["auth_method": "azure", "mount_point": "auth/azure/", "token_type": "service"]) == 2)
                #expect(exposition.value("vault_core_handle_login_request_count") == 3)

                let forbidden = [
                    jwt, first.clientToken ?? "-", second.clientToken ?? "-", lab.harness.rootToken, Sim.subscription,
                    Sim.vmPrincipal, Sim.appID, Sim.tenant, Sim.secret,
                ]
                for value in exposition.labelValues {
                    #expect(!forbidden.contains { !$0.isEmpty && value.contains($0) }, "label value \(value)")
                }
            }
        }
    }
}
