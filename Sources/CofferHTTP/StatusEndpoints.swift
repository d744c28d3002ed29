import CofferBuildInfo
import CofferCore
import CofferFramework
import Foundation
import HTTPTypes
import Hummingbird

/// The raw (non-envelope) status endpoints: `sys/health` and `sys/leader` (docs/http-api.md § Status
/// endpoints); the seal's own (`sys/init`, `sys/seal-status`, …) are ``SealEndpoints``. No token needed.
struct StatusEndpoints {
    let core: Core

    func respond(path: String, method: HTTPRequest.Method, query: [String: JSONValue], extra: HTTPFields) -> Response {
        switch path {
        case "sys/health":
            guard method == .get || method == .head else { return VaultResponder.errors(405, [], extra: extra) }
            return health(method: method, query: query, extra: extra)
        default:  // sys/leader
            guard method == .get else { return VaultResponder.errors(405, [], extra: extra) }
            let body: JSONValue = [
                "ha_enabled": false, "is_self": false, "active_time": "0001-01-01T00:00:00Z", "leader_address": "",
                "leader_cluster_address": "", "performance_standby": false, "performance_standby_last_remote_wal": 0,
            ]
            return VaultResponder.json(200, body.serialized(), extra: extra)
        }
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
        do {
            activeCode = try code("activecode", 200)
            sealedCode = try code("sealedcode", 503)
            uninitCode = try code("uninitcode", 501)
            // Checked though a single node never answers with them.
            for (name, fallback) in [
                ("standbycode", 429), ("drsecondarycode", 472), ("performancestandbycode", 473), ("removedcode", 530),
                ("haunhealthycode", 474),
            ] {
                _ = try code(name, fallback)
            }
        } catch {
            return VaultResponder.errors(400, error.messages, extra: extra)
        }
        let initialized = core.isInitializedCached
        let sealed = core.isSealed
        let status = !initialized ? uninitCode : (sealed ? sealedCode : activeCode)
        if method == .head {
            return Response(status: .init(code: status), headers: [.cacheControl: "no-store"])
        }
        var body: [String: JSONValue] = [
            "initialized": .bool(initialized), "sealed": .bool(sealed), "standby": false, "performance_standby": false,
            "replication_performance_mode": "disabled", "replication_dr_mode": "disabled",
            "server_time_utc": .int(Int64(Date().timeIntervalSince1970)),
            "version": .string(CofferVersion.vaultCompatible),
            "enterprise": false, "echo_duration_ms": 0, "clock_skew_ms": 0, "replication_primary_canary_age_ms": 0,
            "removed_from_cluster": false,
        ]
        if !sealed {
            body["cluster_name"] = .string(core.clusterName)
            body["cluster_id"] = .string(core.clusterID)
        }
        return VaultResponder.json(status, JSONValue.object(body).serialized(), extra: extra)
    }
}
