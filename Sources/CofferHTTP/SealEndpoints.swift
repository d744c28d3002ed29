import CofferBuildInfo
import CofferCore
import CofferFramework
import Foundation
import HTTPTypes
import Hummingbird

/// The raw seal endpoints (docs/seal.md): `sys/init`, `sys/seal-status`, `sys/unseal` (no token) and
/// `sys/seal` and `sys/step-down` (token with sudo). They answer bare JSON objects, not envelopes, and work while sealed.
///
/// ```swift
/// // in VaultResponder.respond:
/// case "sys/init", "sys/seal-status", "sys/unseal", "sys/seal":
///     return await SealEndpoints(core: core, responder: self).respond(path: path, request: request, …)
/// ```
struct SealEndpoints {
    let core: Core
    let responder: VaultResponder

    static let paths: Set<String> = ["sys/init", "sys/seal-status", "sys/unseal", "sys/seal", "sys/step-down"]

    func respond(path: String, request: Request, remoteAddress: String?, extra: HTTPFields) async -> Response {
        let method = request.method
        let isWrite = method == .put || method == .post
        do throws(LogicalError) {
            switch path {
            case "sys/seal-status":
                guard method == .get else { throw LogicalError(status: 405, messages: []) }
                return VaultResponder.json(200, Self.statusJSON(core.sealStatus()).serialized(), extra: extra)
            case "sys/init" where method == .get:
                let body: JSONValue = ["initialized": .bool(core.isInitializedCached)]
                return VaultResponder.json(200, body.serialized(), extra: extra)
            case "sys/init":
                guard isWrite else { throw LogicalError(status: 405, messages: []) }
                return try await initialize(request, extra: extra)
            case "sys/unseal":
                guard isWrite else { throw LogicalError(status: 405, messages: []) }
                return try await unseal(request, extra: extra)
            case "sys/step-down":
                guard isWrite else { throw LogicalError(status: 405, messages: []) }
                // Without HA (or sealed) nothing is checked, as in Vault; a standby forwarded this to the active node.
                try await core.stepDown(
                    token: VaultResponder.clientToken(request.headers), remoteAddress: remoteAddress)
                return VaultResponder.json(204, [], extra: extra)
            default:  // sys/seal
                guard isWrite else { throw LogicalError(status: 405, messages: []) }
                try await core.seal(token: VaultResponder.clientToken(request.headers), remoteAddress: remoteAddress)
                return VaultResponder.json(204, [], extra: extra)
            }
        } catch {
            return VaultResponder.errors(error, extra: extra)
        }
    }

    func initialize(_ request: Request, extra: HTTPFields) async throws(LogicalError) -> Response {
        let body = try await responder.rawBody(request)
        let parameters = SealInitRequest(
            secretShares: try body.int("secret_shares"), secretThreshold: try body.int("secret_threshold"),
            pgpKeys: try body.strings("pgp_keys"), rootTokenPGPKey: try body.string("root_token_pgp_key"),
            recoveryShares: try body.int("recovery_shares"), recoveryThreshold: try body.int("recovery_threshold"),
            recoveryPGPKeys: try body.strings("recovery_pgp_keys"))
        let result = try await core.initializeSeal(parameters)
        var answer: [String: JSONValue] = [
            "keys": .array(result.keys.map { .string(Hex.encode($0)) }),
            "keys_base64": .array(result.keys.map { .string(Data($0).base64EncodedString()) }),
            "root_token": .string(result.rootToken),
        ]
        if !result.recoveryKeys.isEmpty {
            answer["recovery_keys"] = .array(result.recoveryKeys.map { .string(Hex.encode($0)) })
            answer["recovery_keys_base64"] = .array(result.recoveryKeys.map { .string(Data($0).base64EncodedString()) })
        }
        return VaultResponder.json(200, JSONValue.object(answer).serialized(), extra: extra)
    }

    func unseal(_ request: Request, extra: HTTPFields) async throws(LogicalError) -> Response {
        let body = try await responder.rawBody(request)
        let status: SealStatus
        if try body.bool("reset") {
            status = try core.resetUnseal()
        } else {
            let key = try body.string("key")
            if try body.bool("migrate"), !key.isEmpty {
                throw LogicalError(status: 500, messages: ["can't perform a seal migration, no migration seal found"])
            }
            status = try await core.submitUnsealKey(key)
        }
        return VaultResponder.json(200, Self.statusJSON(status).serialized(), extra: extra)
    }

    /// Every field of Vault's `SealStatusResponse`; cluster name and id only while unsealed.
    static func statusJSON(_ status: SealStatus) -> JSONValue {
        var body: [String: JSONValue] = [
            "type": .string(status.type.rawValue), "initialized": .bool(status.initialized),
            "sealed": .bool(status.sealed), "t": .int(Int64(status.threshold)), "n": .int(Int64(status.shares)),
            "progress": .int(Int64(status.progress)), "nonce": .string(status.nonce),
            "version": .string(CofferVersion.vaultCompatible), "build_date": .string(CofferBuildInfo.date),
            "migration": false, "recovery_seal": .bool(status.recoverySeal),
            "storage_type": .string(status.storageType), "removed_from_cluster": false,
        ]
        if let name = status.clusterName, let id = status.clusterID {
            body["cluster_name"] = .string(name)
            body["cluster_id"] = .string(id)
        }
        return .object(body)
    }
}
