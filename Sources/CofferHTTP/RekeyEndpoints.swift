import CofferCore
import CofferFramework
import HTTPTypes
import Hummingbird

/// `sys/rekey/{init,update,verify}` and `sys/rekey-recovery-key/{init,update,verify}`: raw, unauthenticated
/// handlers in front of ``Core``'s rekey (docs/seal.md § Rekey). The backups (`sys/rekey/backup`,
/// `sys/rekey/recovery-key-backup`) are logical paths of the system backend.
///
/// ```swift
/// if RekeyEndpoints.Endpoint(path: path) != nil {
///     return await RekeyEndpoints(core: core, responder: self).respond(to: request, path: path, extra: extra)
/// }
/// ```
struct RekeyEndpoints {
    /// One of the six raw rekey paths.
    struct Endpoint: Equatable {
        enum Step: String { case initialize = "init", update, verify }
        let step: Step
        let recovery: Bool

        init?(path: String) {
            let recovery: Bool
            let rest: Substring
            if path.hasPrefix("sys/rekey/") {
                recovery = false
                rest = path.dropFirst("sys/rekey/".count)
            } else if path.hasPrefix("sys/rekey-recovery-key/") {
                recovery = true
                rest = path.dropFirst("sys/rekey-recovery-key/".count)
            } else {
                return nil
            }
            guard let step = Step(rawValue: String(rest)) else { return nil }
            self.step = step
            self.recovery = recovery
        }
    }

    let core: Core
    let responder: VaultResponder

    func respond(to request: Request, path: String, extra: HTTPFields) async -> Response {
        guard let endpoint = Endpoint(path: path) else { return VaultResponder.errors(404, [], extra: extra) }
        do throws(LogicalError) {
            // As in Vault, an unsupported recovery rekey is refused before the method is looked at.
            _ = try core.rekeyOperation(recovery: endpoint.recovery)
            // LIST (and any method NIO cannot parse) arrives as a marked GET; it is a 405 here.
            if request.headers[VaultResponder.Field.listMarker] != nil {
                return VaultResponder.errors(405, [], extra: extra)
            }
            switch endpoint.step {
            case .initialize: return try await initialize(request, recovery: endpoint.recovery, extra: extra)
            case .update: return try await update(request, recovery: endpoint.recovery, extra: extra)
            case .verify: return try await verify(request, recovery: endpoint.recovery, extra: extra)
            }
        } catch {
            return VaultResponder.errors(error, extra: extra)
        }
    }

    func initialize(_ request: Request, recovery: Bool, extra: HTTPFields) async throws(LogicalError) -> Response {
        switch request.method {
        case .get:
            return VaultResponder.json(200, try core.rekeyStatus(recovery: recovery).json.serialized(), extra: extra)
        case .put, .post:
            let body = try await responder.rawBody(request)
            let rekey = RekeyRequest(
                secretShares: try body.int("secret_shares"), secretThreshold: try body.int("secret_threshold"),
                pgpKeys: try body.strings("pgp_keys"), backup: try body.bool("backup"),
                requireVerification: try body.bool("require_verification"))
            return VaultResponder.json(
                200, try await core.startRekey(rekey, recovery: recovery).json.serialized(), extra: extra)
        case .delete:
            try await core.cancelRekey(recovery: recovery)
            return VaultResponder.json(204, [], extra: extra)
        default:
            return VaultResponder.errors(405, [], extra: extra)
        }
    }

    func update(_ request: Request, recovery: Bool, extra: HTTPFields) async throws(LogicalError) -> Response {
        guard request.method == .put || request.method == .post else {
            return VaultResponder.errors(405, [], extra: extra)
        }
        let body = try await responder.rawBody(request)
        let completion = try await core.updateRekey(
            key: try body.string("key"), nonce: try body.string("nonce"), recovery: recovery)
        guard let completion else {
            return VaultResponder.json(200, try core.rekeyStatus(recovery: recovery).json.serialized(), extra: extra)
        }
        return VaultResponder.json(200, completion.json.serialized(), extra: extra)
    }

    func verify(_ request: Request, recovery: Bool, extra: HTTPFields) async throws(LogicalError) -> Response {
        switch request.method {
        case .get:
            return VaultResponder.json(
                200, try core.rekeyVerificationStatus(recovery: recovery).json.serialized(), extra: extra)
        case .put, .post:
            let body = try await responder.rawBody(request)
            let nonce = try await core.verifyRekey(
                key: try body.string("key"), nonce: try body.string("nonce"), recovery: recovery)
            guard let nonce else {
                return VaultResponder.json(
                    200, try core.rekeyVerificationStatus(recovery: recovery).json.serialized(), extra: extra)
            }
            return VaultResponder.json(
                200, JSONValue.object(["nonce": .string(nonce), "complete": true]).serialized(), extra: extra)
        case .delete:
            return VaultResponder.json(
                200, try await core.restartRekeyVerification(recovery: recovery).json.serialized(), extra: extra)
        default:
            return VaultResponder.errors(405, [], extra: extra)
        }
    }
}
