import CofferCore
import CofferFramework
import HTTPTypes
import Hummingbird

/// `sys/generate-root/attempt` and `sys/generate-root/update`: raw, unauthenticated handlers (the quorum of
/// shares is the authorisation) in front of ``Core``'s root generation (docs/seal.md § Root token generation).
/// Unlike the other raw handlers they are audited, as in Vault: the request before it runs, the answer after.
///
/// ```swift
/// if GenerateRootEndpoints.paths.contains(path) {
///     return await GenerateRootEndpoints(core: core, responder: self).respond(
///         to: request, path: path, remoteAddress: address, extra: extra)
/// }
/// ```
struct GenerateRootEndpoints {
    static let attempt = "sys/generate-root/attempt"
    static let update = "sys/generate-root/update"
    static let paths: Set<String> = [attempt, update]

    let core: Core
    let responder: VaultResponder

    /// What a request asks for, once its method and body are read.
    enum Action {
        case status, start(RawRequestBody), cancel, update(RawRequestBody)
    }

    func respond(to request: Request, path: String, remoteAddress: String?, extra: HTTPFields) async -> Response {
        // LIST (and any method NIO cannot parse) arrives as a marked GET; like every other method it is a 405 here.
        if request.headers[VaultResponder.Field.listMarker] != nil {
            return VaultResponder.errors(405, [], extra: extra)
        }
        let action: Action
        let operation: LogicalOperation
        do throws(LogicalError) {
            switch (path, request.method) {
            case (Self.attempt, .get): (action, operation) = (.status, .read)
            case (Self.attempt, .put), (Self.attempt, .post):
                // The one raw handler where an empty body is fine: the server then generates the OTP.
                (action, operation) = (.start(try await responder.rawBody(request, allowEmpty: true)), .update)
            case (Self.attempt, .delete): (action, operation) = (.cancel, .delete)
            case (Self.update, .put), (Self.update, .post):
                (action, operation) = (.update(try await responder.rawBody(request)), .update)
            default: return VaultResponder.errors(405, [], extra: extra)
            }
        } catch {
            return VaultResponder.errors(error, extra: extra)
        }
        let audited = CoreRequest(
            id: Hex.uuid(), operation: operation, path: path, data: action.data,
            token: VaultResponder.clientToken(request.headers), remoteAddress: remoteAddress)
        do {
            try await core.auditRootGenerationRequest(audited)
        } catch {
            return VaultResponder.errors(.internalError, extra: extra)
        }
        let outcome = await perform(action)
        do {
            try await core.auditRootGenerationResponse(
                audited, answer: try? outcome.get()?.objectValue, error: outcome.error)
        } catch {
            return VaultResponder.errors(.internalError, extra: extra)
        }
        switch outcome {
        case .success(let answer?): return VaultResponder.json(200, answer.serialized(), extra: extra)
        case .success(nil): return VaultResponder.json(204, [], extra: extra)
        case .failure(let error): return VaultResponder.errors(error, extra: extra)
        }
    }

    /// Runs the action: the status object to answer with, or nil for a 204.
    func perform(_ action: Action) async -> Result<JSONValue?, LogicalError> {
        do throws(LogicalError) {
            switch action {
            case .status:
                return .success(try core.generateRootStatus().json)
            case .start(let body):
                let status = try await core.startRootGeneration(
                    otp: try body.string("otp"), pgpKey: try body.string("pgp_key"))
                return .success(status.json)
            case .cancel:
                try await core.cancelRootGeneration()
                return .success(nil)
            case .update(let body):
                let status = try await core.updateRootGeneration(
                    key: try body.string("key"), nonce: try body.string("nonce"))
                return .success(status.json)
            }
        } catch {
            return .failure(error)
        }
    }
}

extension GenerateRootEndpoints.Action {
    /// The body's members, as the audit entry's request data.
    var data: [String: JSONValue] {
        switch self {
        case .start(let body), .update(let body): body.members
        case .status, .cancel: [:]
        }
    }
}

extension Result where Failure == LogicalError {
    var error: LogicalError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
