import CofferCore
import CofferFramework
import HTTPTypes
import Hummingbird

/// `sys/generate-root/attempt` and `sys/generate-root/update`: raw, unauthenticated handlers (the quorum of
/// shares is the authorisation) in front of ``Core``'s root generation (docs/seal.md § Root token generation).
///
/// ```swift
/// if GenerateRootEndpoints.paths.contains(path) {
///     return await GenerateRootEndpoints(core: core, responder: self).respond(to: request, path: path, extra: extra)
/// }
/// ```
struct GenerateRootEndpoints {
    static let attempt = "sys/generate-root/attempt"
    static let update = "sys/generate-root/update"
    static let paths: Set<String> = [attempt, update]

    let core: Core
    let responder: VaultResponder

    func respond(to request: Request, path: String, extra: HTTPFields) async -> Response {
        do throws(LogicalError) {
            switch (path, request.method) {
            case (Self.attempt, .get):
                return VaultResponder.json(200, try core.generateRootStatus().json.serialized(), extra: extra)
            case (Self.attempt, .put), (Self.attempt, .post):
                // The one raw handler where an empty body is fine: the server then generates the OTP.
                let body = try await responder.rawBody(request, allowEmpty: true)
                let status = try await core.startRootGeneration(
                    otp: try body.string("otp"), pgpKey: try body.string("pgp_key"))
                return VaultResponder.json(200, status.json.serialized(), extra: extra)
            case (Self.attempt, .delete):
                try await core.cancelRootGeneration()
                return VaultResponder.json(204, [], extra: extra)
            case (Self.update, .put), (Self.update, .post):
                let body = try await responder.rawBody(request)
                let status = try await core.updateRootGeneration(
                    key: try body.string("key"), nonce: try body.string("nonce"))
                return VaultResponder.json(200, status.json.serialized(), extra: extra)
            default:
                return VaultResponder.errors(405, [], extra: extra)
            }
        } catch {
            return VaultResponder.errors(error, extra: extra)
        }
    }
}
