import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import Testing

/// `sys/metrics` and the metrics the pipeline records (docs/metrics.md), each test on its own core and registry.
@Suite struct MetricsTests {
    /// A core whose catalog has the test auth method, with metrics configured as `settings` says.
    struct MeteredCore {
        let core: Core
        let root: String
        let sealKey: SymmetricKey

        static func make(prometheus: Bool = true, hostname: String? = nil) async throws -> MeteredCore {
            var settings = MetricsSettings()
            settings.prometheusEnabled = prometheus
            settings.hostname = hostname
            var configuration = CoreConfiguration()
            configuration.catalog = [TestAuthMethod.factory]
            configuration.metrics = CofferMetrics(settings: settings)
            let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
            let key = SymmetricKey(size: .bits256)
            let root = try await core.initialize(sealKey: key)
            return MeteredCore(core: core, root: root, sealKey: key)
        }

        @discardableResult
        func request(
            _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil
        ) async -> CoreResponse {
            await core.handle(
                CoreRequest(
                    id: UUID().uuidString, operation: operation, path: path, data: data, token: token ?? root,
                    remoteAddress: "127.0.0.1"))
        }

        /// `sys/metrics` through the pipeline, unwrapped as the HTTP layer unwraps it.
        func scrape(format: String? = "prometheus", token: String? = nil) async throws -> MetricsResponse {
            let answer = await request(
                .read, "sys/metrics", format.map { ["format": .string($0)] } ?? [:], token: token)
            guard case .raw(let bytes) = answer.body else {
                throw MetricsTestFailure("sys/metrics answered \(answer.status) \(answer.errors ?? [])")
            }
            return try #require(MetricsResponse(json: try JSONParser.parse(bytes)))
        }

        func prometheus() async throws -> PrometheusTextParser.Exposition {
            let response = try await scrape()
            try #require(response.status == 200, "\(response.body)")
            #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
            return try PrometheusTextParser.parse(response.body)
        }
    }

    struct MetricsTestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func handleRequestCountsEveryRequest() async throws {
        let metered = try await MeteredCore.make()
        let before = try await metered.prometheus()
        for _ in 0..<5 { #expect(await metered.request(.read, "sys/mounts").status == 200) }
        let after = try await metered.prometheus()
        // The first scrape is a request too, timed once it answered.
        #expect(
            after.value("vault_core_handle_request_count") == before.value("vault_core_handle_request_count") + 6)
        #expect(after.families["vault_core_handle_request"]?.type == "histogram")
        #expect(after.value("vault_core_handle_request_sum") > 0)
        #expect(after.value("vault_core_check_token_count") >= 6)
        // Vault's per-mount route timer: `vault.route.read.sys-`.
        #expect(after.value("vault_route_read_sys__count") == before.value("vault_route_read_sys__count") + 6)
    }

    @Test func loginMovesLoginTimerAndTokenCreation() async throws {
        let metered = try await MeteredCore.make()
        #expect(await metered.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        let before = try await metered.prometheus()
        let login = await metered.request(
            .update, "auth/test/login", ["user": "alice", "policies": "app", "ttl": "30m"], token: "")
        try #require(login.status == 200, "\(login.errors ?? [])")
        let clientToken = try #require(login.clientToken)
        let accessor = try #require(login.auth["accessor"]?.stringValue)
        let after = try await metered.prometheus()
        #expect(
            after.value("vault_core_handle_login_request_count")
                == before.value("vault_core_handle_login_request_count") + 1)
        // The login is timed as a login only; the scrape before it is the one new handle_request.
        #expect(after.value("vault_core_handle_request_count") == before.value("vault_core_handle_request_count") + 1)
        let created = after.matching(
            "vault_token_creation", ["auth_method": "test-auth", "mount_point": "auth/test/"])
        #expect(created.count == 1)
        #expect(
            created.first?.labels
                == [
                    "auth_method": "test-auth", "mount_point": "auth/test/", "creation_ttl": "1h",
                    "token_type": "service", "namespace": "root",
                ])
        #expect(created.first?.value == 1)
        for value in after.labelValues {
            #expect(value != clientToken && value != accessor && value != metered.root)
            #expect(!value.contains("hvs."))
        }
    }

    /// Vault's split between the two request timers: a `login` segment after the auth mount's first segment is a
    /// login (wherever it sits, however many slashes), anything else — the token store's paths, a `login` that is
    /// only a prefix or suffix of a segment, a path ending at the mount — is a plain request.
    @Test func onlyLoginSegmentsUnderAuthMountsAreTimedAsLogins() async throws {
        let metered = try await MeteredCore.make()
        #expect(await metered.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        #expect(await metered.request(.update, "sys/auth/team/test", ["type": "test-auth"]).status == 204)
        let cases: [(path: String, login: Bool)] = [
            ("auth/test/login", true), ("auth//test//login", true), ("auth/team/test/login", true),
            ("auth/test/login/alice", true), ("auth/test/logins", false), ("auth/test/relogin", false),
            ("auth/token/login", false), ("auth/login", false), ("auth/test/", false), ("sys/login", false),
        ]
        for (path, login) in cases {
            let before = try await metered.prometheus()
            await metered.request(.read, path, token: "")
            let after = try await metered.prometheus()
            let logins =
                after.value("vault_core_handle_login_request_count")
                - before.value("vault_core_handle_login_request_count")
            // The scrape between the two readings is one plain request of its own.
            let requests =
                after.value("vault_core_handle_request_count")
                - before.value("vault_core_handle_request_count")
            #expect(logins == (login ? 1 : 0), "\(path)")
            #expect(requests == (login ? 1 : 2), "\(path)")
        }
    }

    @Test func tokenCreateCountsUnderTheTokenStore() async throws {
        let metered = try await MeteredCore.make()
        let created = await metered.request(.update, "auth/token/create", ["policies": "app", "ttl": "0"])
        try #require(created.status == 200)
        let batch = await metered.request(.update, "auth/token/create", ["type": "batch", "policies": "app"])
        try #require(batch.status == 200, "\(batch.errors ?? [])")
        let exposition = try await metered.prometheus()
        #expect(
            exposition.value(
                "vault_token_creation", ["auth_method": "token", "mount_point": "auth/token/", "token_type": "service"])
                == 1)
        #expect(exposition.value("vault_token_creation", ["token_type": "batch"]) == 1)
    }

    @Test func gaugesCarryTheHostNameUnlessDisabled() async throws {
        let named = try await MeteredCore.make(hostname: "testhost")
        let withHost = try await named.prometheus()
        #expect(withHost.value("vault_testhost_core_unsealed") == 1)
        #expect(withHost.value("vault_testhost_core_active") == 1)
        #expect(withHost.matching("vault_core_unsealed").isEmpty)
        #expect(withHost.families["vault_testhost_core_unsealed"]?.type == "gauge")
        // Timers and counters never carry the host name.
        #expect(withHost.families["vault_core_handle_request"] != nil)

        let plain = try await MeteredCore.make(hostname: nil)
        let withoutHost = try await plain.prometheus()
        #expect(withoutHost.value("vault_core_unsealed") == 1)
        #expect(!withoutHost.families.keys.contains { $0.contains("testhost") })
    }

    @Test func usageGaugesCountTokensByPolicyAuthAndTTL() async throws {
        let metered = try await MeteredCore.make()
        for _ in 0..<2 {
            #expect(
                await metered.request(.update, "auth/token/create", ["policies": "app", "ttl": "15m"]).status == 200)
        }
        // The count runs in the background and a scrape waits for it at most 1 s (Core.usageCountWait): on a loaded
        // machine its figures appear from a later scrape.
        var exposition = try await metered.prometheus()
        for _ in 0..<600 where exposition.value("vault_token_count") != 3 {
            try await Task.sleep(for: .milliseconds(100))
            exposition = try await metered.prometheus()
        }
        // The root token and the two created ones.
        #expect(exposition.value("vault_token_count") == 3)
        #expect(exposition.value("vault_token_count_by_policy", ["policy": "app"]) == 2)
        #expect(exposition.value("vault_token_count_by_policy", ["policy": "root"]) == 1)
        #expect(exposition.value("vault_token_count_by_auth", ["auth_method": "token"]) == 3)
        #expect(exposition.value("vault_token_count_by_ttl", ["creation_ttl": "20m"]) == 2)
        #expect(exposition.value("vault_token_count_by_ttl", ["creation_ttl": "+Inf"]) == 1)
        #expect(exposition.value("vault_expire_num_leases") == 2)
    }

    @Test func prometheusNeedsTheTelemetryStanza() async throws {
        let metered = try await MeteredCore.make(prometheus: false)
        let refused = try await metered.scrape()
        #expect(refused.status == 400)
        #expect(refused.contentType == "text/plain")
        #expect(refused.body == "prometheus is not enabled")
        // The JSON format needs no stanza, as Vault's in-memory sink.
        #expect(try await metered.scrape(format: nil).status == 200)
        let unknown = try await metered.scrape(format: "xml")
        #expect(unknown.status == 400)
        #expect(unknown.contentType == "application/json")
        #expect(unknown.body == #"{"errors":["metric response format \"xml\" unknown"]}"#)
        let accepted = await metered.core.metricsResponse(
            format: nil, accept: "application/openmetrics-text; version=1.0.0")
        #expect(accepted.body == "prometheus is not enabled")
    }

    @Test func metricsNeedATokenAllowedToReadThem() async throws {
        let metered = try await MeteredCore.make()
        #expect(await metered.request(.read, "sys/metrics", token: "").status == 403)
        let created = await metered.request(.update, "auth/token/create", ["policies": "app"])
        let token = try #require(created.clientToken)
        #expect(await metered.request(.read, "sys/metrics", token: token).status == 403)
        #expect(
            await metered.request(
                .update, "sys/policies/acl/metrics", ["policy": #"path "sys/metrics" { capabilities = ["read"] }"#]
            ).status == 204)
        let allowed = await metered.request(.update, "auth/token/create", ["policies": "metrics"])
        #expect(try await metered.scrape(token: try #require(allowed.clientToken)).status == 200)
    }

    @Test func jsonFormatHasGoMetricsShape() async throws {
        let metered = try await MeteredCore.make(hostname: "testhost")
        for _ in 0..<3 { await metered.request(.read, "sys/mounts") }
        let response = try await metered.scrape(format: nil)
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        let document = try JSONParser.parse(Array(response.body.utf8))
        let object = try #require(document.objectValue)
        #expect(Set(object.keys) == ["Timestamp", "Gauges", "Counters", "Samples", "Points"])
        let timestamp = try #require(object["Timestamp"]?.stringValue)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000 UTC/) != nil)
        #expect(object["Points"] == .array([]))
        let gauges = try #require(object["Gauges"]?.arrayValue)
        let unsealed = try #require(gauges.first { $0["Name"]?.stringValue == "vault.testhost.core.unsealed" })
        #expect(unsealed["Value"]?.doubleValue == 1)
        #expect(unsealed["Labels"] == .object([:]))
        let samples = try #require(object["Samples"]?.arrayValue)
        let handled = try #require(samples.first { $0["Name"]?.stringValue == "vault.core.handle_request" })
        #expect(
            Set(handled.objectValue?.keys.map { $0 } ?? [])
                == ["Name", "Count", "Rate", "Sum", "Min", "Max", "Mean", "Stddev", "Labels"])
        #expect(handled["Count"] == .int(3))
        let counters = try #require(object["Counters"]?.arrayValue)
        #expect(counters.map { $0["Name"]?.stringValue } == ["vault.core.unseal"])
        #expect(counters.first?["Count"] == .int(1))
        #expect(counters.first?["Sum"]?.doubleValue == 1)
    }

    @Test func sealAndUnsealAreCountedAndGaugedWhileSealed() async throws {
        let metered = try await MeteredCore.make()
        await metered.core.seal()
        // Sealed: only the listener's unauthenticated access reaches the metrics (the pipeline answers 503).
        #expect(await metered.request(.read, "sys/metrics").status == 503)
        let sealed = await metered.core.metricsResponse(format: "prometheus", accept: nil)
        let whileSealed = try PrometheusTextParser.parse(sealed.body)
        #expect(whileSealed.value("vault_core_unsealed") == 0)
        #expect(whileSealed.value("vault_core_seal") == 1)
        try await metered.core.unseal(sealKey: metered.sealKey)
        let exposition = try await metered.prometheus()
        #expect(exposition.value("vault_core_unsealed") == 1)
        // Initialising unsealed once, then the unseal.
        #expect(exposition.value("vault_core_unseal") == 2)
    }

    /// The hooks audit devices call land under Vault's names.
    @Test func auditHooksRecordTimersAndFailures() async throws {
        let metered = try await MeteredCore.make()
        metered.core.metrics.auditLogRequest(milliseconds: 2, failed: false)
        metered.core.metrics.auditLogRequest(milliseconds: 3, failed: true)
        metered.core.metrics.auditLogResponse(milliseconds: 1, failed: false)
        let exposition = try await metered.prometheus()
        #expect(exposition.value("vault_audit_log_request_count") == 2)
        #expect(exposition.value("vault_audit_log_request_sum") == 5)
        #expect(exposition.value("vault_audit_log_request_failure") == 1)
        #expect(exposition.value("vault_audit_log_response_count") == 1)
        #expect(exposition.matching("vault_audit_log_response_failure").isEmpty)
    }

    /// With a file audit device, every request and response entry is timed under Vault's names.
    @Test func auditedRequestsMoveTheAuditTimers() async throws {
        let metered = try await MeteredCore.make()
        try await TemporaryDirectory.with(prefix: "coffer-metrics-audit") { directory in
            let path = directory.appendingPathComponent("audit.log").path
            let enabled = await metered.request(
                .update, "sys/audit/file", ["type": "file", "options": ["file_path": .string(path)]])
            try #require(enabled.status == 204, "\(enabled.errors ?? [])")
            let before = try await metered.prometheus()
            #expect(await metered.request(.read, "sys/mounts").status == 200)
            let after = try await metered.prometheus()
            // The read's two entries, the first scrape's response entry and the second scrape's request entry.
            #expect(
                after.value("vault_audit_log_request_count") == before.value("vault_audit_log_request_count") + 2)
            #expect(
                after.value("vault_audit_log_response_count") == before.value("vault_audit_log_response_count") + 2)
            #expect(after.value("vault_audit_log_request_failure") == 0)
        }
    }

    @Test func ttlBucketsAreVaults() {
        #expect(TTLBucket.label(seconds: 0) == "+Inf")
        #expect(TTLBucket.label(seconds: 60) == "1m")
        #expect(TTLBucket.label(seconds: 61) == "10m")
        #expect(TTLBucket.label(seconds: 86_400) == "1d")
        #expect(TTLBucket.label(seconds: 2_592_000) == "30d")
        #expect(TTLBucket.label(seconds: 2_592_001) == "+Inf")
        #expect(TTLBucket.label(seconds: -5) == "+Inf")
    }
}
