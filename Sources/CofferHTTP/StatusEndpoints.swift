import CofferBuildInfo
import CofferCore
import CofferFramework
import Foundation
import HTTPTypes
import Hummingbird

/// The raw (non-envelope) status endpoints: `sys/health` and `sys/leader` (docs/http-api.md § Status
/// endpoints, § Standbys); the seal's own (`sys/init`, `sys/seal-status`, …) are ``SealEndpoints``. No token needed.
/// Every node of an HA cluster answers them itself, from ``HAStatus``.
///
/// ```swift
/// case "sys/health", "sys/leader":
///     return StatusEndpoints(core: core).respond(path: path, method: request.method, query: query, extra: extra)
/// ```
struct StatusEndpoints {
    let core: Core

    func respond(path: String, method: HTTPRequest.Method, query: [String: JSONValue], extra: HTTPFields) -> Response {
        switch path {
        case "sys/health":
            guard method == .get || method == .head else { return VaultResponder.errors(405, [], extra: extra) }
            return health(method: method, query: query, extra: extra)
        default:  // sys/leader
            guard method == .get else { return VaultResponder.errors(405, [], extra: extra) }
            return leader(extra: extra)
        }
    }

    static let zeroTime = "0001-01-01T00:00:00Z"

    /// Who leads the cluster, as this node knows it (Vault's `GetLeaderStatus`); a sealed node of a cluster knows
    /// nothing and says so with 503.
    func leader(extra: HTTPFields) -> Response {
        let status = core.haStatus
        guard status.role != .sealed else { return VaultResponder.errors(.sealed, extra: extra) }
        let activeTime = status.role == .active ? status.activeSince.map { RFC3339.string(unixSeconds: $0) } : nil
        let body: JSONValue = [
            "ha_enabled": .bool(status.isEnabled), "is_self": .bool(status.role == .active),
            "active_time": .string(activeTime ?? Self.zeroTime),
            "leader_address": .string(status.leader?.apiAddress ?? ""),
            "leader_cluster_address": .string(status.leader?.clusterAddress ?? ""), "performance_standby": false,
            "performance_standby_last_remote_wal": 0,
        ]
        return VaultResponder.json(200, body.serialized(), extra: extra)
    }

    func health(method: HTTPRequest.Method, query: [String: JSONValue], extra: HTTPFields) -> Response {
        for name in ["standbyok", "perfstandbyok"] {
            if let value = query[name]?.stringValue, !value.isEmpty, RequestDecoder.parseBool(value) == nil {
                return VaultResponder.errors(400, [], extra: extra)
            }
        }
        /// A code Vault cannot parse gets its bare 400; a number HTTP cannot carry (a malformed status line, or a
        /// trap) is refused naming the parameter.
        struct BadCode: Error { var messages: [String] }
        func code(_ name: String, _ fallback: Int) throws(BadCode) -> Int {
            guard let text = query[name]?.stringValue, !text.isEmpty else { return fallback }
            guard let value = Int(text) else { throw BadCode(messages: []) }
            guard (100...599).contains(value) else {
                throw BadCode(messages: ["invalid value for \(name): must be an HTTP status code between 100 and 599"])
            }
            return value
        }
        let activeCode: Int
        let sealedCode: Int
        let uninitCode: Int
        let standbyCode: Int
        do {
            activeCode = try code("activecode", 200)
            sealedCode = try code("sealedcode", 503)
            uninitCode = try code("uninitcode", 501)
            standbyCode = try code("standbycode", 429)
            // Checked though Coffer never answers with them.
            for (name, fallback) in [
                ("drsecondarycode", 472), ("performancestandbycode", 473), ("removedcode", 530),
                ("haunhealthycode", 474),
            ] {
                _ = try code(name, fallback)
            }
        } catch {
            return VaultResponder.errors(400, error.messages, extra: extra)
        }
        let initialized = core.isInitializedCached
        let sealed = core.isSealed
        // Priority as Vault: not initialised, then sealed, then standby.
        let standby = !sealed && core.haStatus.role == .standby
        let standbyOK = query["standbyok"]?.stringValue.flatMap(RequestDecoder.parseBool) ?? false
        let status =
            !initialized ? uninitCode : (sealed ? sealedCode : (standby && !standbyOK ? standbyCode : activeCode))
        if method == .head {
            return Response(status: .init(code: status), headers: [.cacheControl: "no-store"])
        }
        var body: [String: JSONValue] = [
            "initialized": .bool(initialized), "sealed": .bool(sealed), "standby": .bool(standby),
            "performance_standby": false,
            "replication_performance_mode": "disabled", "replication_dr_mode": "disabled",
            "server_time_utc": .int(Int64(Date().timeIntervalSince1970)),
            "version": .string(CofferVersion.vaultCompatible),
            "enterprise": false, "echo_duration_ms": 0, "clock_skew_ms": 0, "replication_primary_canary_age_ms": 0,
            "removed_from_cluster": false,
        ]
        // A standby that was never active has not read the cluster's identity yet.
        if !sealed, !core.clusterID.isEmpty {
            body["cluster_name"] = .string(core.clusterName)
            body["cluster_id"] = .string(core.clusterID)
        }
        return VaultResponder.json(status, JSONValue.object(body).serialized(), extra: extra)
    }
}
