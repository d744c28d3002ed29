import CofferJSON
import Foundation
import Synchronization

/// The simulator's shared state and request dispatch. Handlers for each Azure service live in
/// extensions (`EntraEndpoints`, `IMDSEndpoints`, `ARMEndpoints`, `GraphEndpoints`, `ControlEndpoints`).
///
/// ```swift
/// let core = SimulatorCore(fixture: fixture, keys: try SigningKeySet(count: 3))
/// let response = await core.handle(request)
/// ```
final class SimulatorCore: Sendable {
    struct Fault: Sendable {
        var pathContains: String
        var method: String?
        var status: Int?
        var retryAfter: Int?
        var delay: Duration?
        var remaining: Int
    }

    struct Throttle: Sendable {
        var capacity: Double
        var refillPerSecond: Double
        var buckets: [String: (tokens: Double, updated: ContinuousClock.Instant)] = [:]
    }

    struct State: Sendable {
        var fixture: SimulatorFixture
        var keys: SigningKeySet
        var faults: [Fault] = []
        var log: [LoggedRequest] = []
        var throttle: Throttle?
        /// `http://127.0.0.1:<port>/` once started.
        var baseURL: String = "http://127.0.0.1/"
        var appServiceHeader: String
    }

    let state: Mutex<State>

    init(fixture: SimulatorFixture, keys: SigningKeySet) {
        let header = fixture.appService?.identityHeader ?? UUID().uuidString
        state = Mutex(State(fixture: fixture, keys: keys, appServiceHeader: header))
    }

    var baseURL: String { state.withLock { $0.baseURL } }
    var catalog: ResourceCatalog { ResourceCatalog(fixture: state.withLock { $0.fixture }) }

    // MARK: Dispatch

    func handle(_ request: SimulatorRequest) async -> SimulatorResponse {
        if request.path.hasPrefix("/_simulator/") {
            if let refusal = Self.controlHostRefusal(request) { return refusal }
            return await handleControl(request)
        }
        let fault = takeFault(for: request)
        if let delay = fault?.delay { try? await Task.sleep(for: delay) }
        let response: SimulatorResponse
        if let fault, let status = fault.status {
            response = Self.faultResponse(status: status, retryAfter: fault.retryAfter)
        } else {
            response = await route(request)
        }
        state.withLock {
            $0.log.append(
                LoggedRequest(
                    method: request.method, path: request.path, query: request.query, status: response.status,
                    date: Date()))
        }
        return response
    }

    private func route(_ request: SimulatorRequest) async -> SimulatorResponse {
        let segments = request.segments
        guard let first = segments.first?.lowercased() else { return notFound(request) }
        switch first {
        case "metadata": return handleIMDS(request)
        case "msi": return handleAppService(request)
        case "subscriptions", "providers": return handleARM(request)
        case "v1.0": return handleGraph(request, segments: Array(segments.dropFirst()))
        case "graph" where segments.count > 1 && segments[1] == "v1.0":
            return handleGraph(request, segments: Array(segments.dropFirst(2)))
        default: return await handleEntra(request)
        }
    }

    private func notFound(_ request: SimulatorRequest) -> SimulatorResponse {
        .armError(404, "NotFound", "The simulator has no endpoint at \(request.method) \(request.path).")
    }

    // MARK: Faults, log, throttling

    private func takeFault(for request: SimulatorRequest) -> Fault? {
        state.withLock { state in
            guard
                let index = state.faults.firstIndex(where: { fault in
                    fault.remaining > 0 && request.path.contains(fault.pathContains)
                        && (fault.method.map { $0.caseInsensitiveCompare(request.method) == .orderedSame } ?? true)
                })
            else { return nil }
            state.faults[index].remaining -= 1
            let fault = state.faults[index]
            if fault.remaining == 0 { state.faults.remove(at: index) }
            return fault
        }
    }

    static func faultResponse(status: Int, retryAfter: Int?) -> SimulatorResponse {
        let code: String
        switch status {
        case 429: code = "TooManyRequests"
        case 500: code = "InternalServerError"
        case 502: code = "BadGateway"
        case 503: code = "ServiceUnavailable"
        case 504: code = "GatewayTimeout"
        default: code = "InjectedFault"
        }
        let headers = retryAfter.map { [("Retry-After", String($0))] } ?? []
        return .armError(status, code, "The simulator injected this \(status) response.", headers: headers)
    }

    /// Takes one read from the subscription's bucket; the answer is nil when allowed, else the 429.
    func throttle(subscription: String) -> SimulatorResponse? {
        state.withLock { state -> SimulatorResponse? in
            guard var throttle = state.throttle else { return nil }
            defer { state.throttle = throttle }
            let now = ContinuousClock.now
            let key = subscription.lowercased()
            var bucket = throttle.buckets[key] ?? (throttle.capacity, now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(throttle.capacity, bucket.tokens + seconds * throttle.refillPerSecond)
            bucket.updated = now
            defer { throttle.buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            let wait = max(1, Int(((1 - bucket.tokens) / throttle.refillPerSecond).rounded(.up)))
            return .armError(
                429, "TooManyRequests",
                "The request is being throttled as the limit has been reached for operation type - Read. "
                    + "For more information, refer to - https://aka.ms/armthrottling",
                headers: [("Retry-After", String(wait)), ("x-ms-ratelimit-remaining-subscription-reads", "0")])
        }
    }

    func remainingReads(subscription: String) -> Int? {
        state.withLock { state in
            guard let throttle = state.throttle else { return nil }
            return Int(throttle.buckets[subscription.lowercased()]?.tokens ?? throttle.capacity)
        }
    }

    // MARK: Tokens

    /// Claims every Entra ID v1 access token carries; callers add the identity-specific ones.
    func baseClaims(tenant: String, audience: String, lifetime: Int, version: String = "1.0") -> [String: JSONValue] {
        let now = Int(Date().timeIntervalSince1970)
        let issuer = version == "2.0" ? "\(baseURL)\(tenant)/v2.0" : "https://sts.windows.net/\(tenant)/"
        var claims: [String: JSONValue] = [
            "aud": .string(audience), "iss": .string(issuer), "iat": .int(Int64(now)), "nbf": .int(Int64(now)),
            "exp": .int(Int64(now + lifetime)), "aio": .string(Self.opaque(48)), "tid": .string(tenant),
            "uti": .string(Self.opaque(22)), "ver": .string(version),
            "rh": .string("0.A" + Self.opaque(60) + "."),
        ]
        if version == "1.0" { claims["idp"] = .string(issuer) }
        return claims
    }

    /// A managed-identity access token (v1, 24 h) for `grant`, signed by the active key.
    func managedIdentityToken(_ grant: ResourceCatalog.Grant, resource: String) throws -> (token: String, exp: Int) {
        var claims = baseClaims(tenant: grant.tenantID, audience: resource, lifetime: 86_399)
        claims["appid"] = .string(grant.clientID)
        claims["appidacr"] = "2"
        claims["idtyp"] = "app"
        claims["oid"] = .string(grant.principalID)
        claims["sub"] = .string(grant.principalID)
        claims["xms_mirid"] = .string(grant.mirid)
        if let azRid = grant.azRid { claims["xms_az_rid"] = .string(azRid) }
        let groups = catalog.groups(of: grant.principalID, tenant: grant.tenantID)
        if !groups.isEmpty { claims["groups"] = .strings(groups) }
        return (try sign(claims), claims["exp"]?.intValue.map(Int.init) ?? 0)
    }

    func workloadIdentityToken(clientID: String, audience: String) throws -> String {
        let fixture = state.withLock { $0.fixture }
        let principal: (tenant: String, oid: String, mirid: String?)
        if let identity = fixture.userAssignedIdentities.first(where: { ResourceID.equal($0.clientId, clientID) }) {
            principal = (
                fixture.tenant(forSubscription: identity.subscriptionId)?.tenantId ?? "", identity.principalId,
                ResourceID.claimForm(identity.id)
            )
        } else if let (tenant, app) = fixture.tenants.lazy.compactMap({ tenant in
            tenant.applications.first { ResourceID.equal($0.appId, clientID) }.map { (tenant, $0) }
        }).first {
            principal = (tenant.tenantId, app.servicePrincipalId, nil)
        } else {
            throw SimulatorError.notFound("client \(clientID)")
        }
        var claims = baseClaims(tenant: principal.tenant, audience: audience, lifetime: 86_399, version: "2.0")
        claims["azp"] = .string(clientID)
        claims["azpacr"] = "2"
        claims["idtyp"] = "app"
        claims["oid"] = .string(principal.oid)
        claims["sub"] = .string(principal.oid)
        if let mirid = principal.mirid { claims["xms_mirid"] = .string(mirid) }
        let groups = catalog.groups(of: principal.oid, tenant: principal.tenant)
        if !groups.isEmpty { claims["groups"] = .strings(groups) }
        return try sign(claims)
    }

    /// An app-only v1 token of an app registration, like the token endpoint gives for a client secret.
    func applicationToken(appID: String, resource: String) throws -> String {
        let fixture = state.withLock { $0.fixture }
        guard
            let (tenant, app) = fixture.tenants.lazy.compactMap({ tenant in
                tenant.applications.first { ResourceID.equal($0.appId, appID) }.map { (tenant, $0) }
            }).first
        else { throw SimulatorError.notFound("application \(appID)") }
        var claims = baseClaims(tenant: tenant.tenantId, audience: resource, lifetime: 3599)
        claims["appid"] = .string(app.appId)
        claims["appidacr"] = "1"
        claims["app_displayname"] = .string(app.displayName)
        claims["idtyp"] = "app"
        claims["oid"] = .string(app.servicePrincipalId)
        claims["sub"] = .string(app.servicePrincipalId)
        let groups = catalog.groups(of: app.servicePrincipalId, tenant: tenant.tenantId)
        if !groups.isEmpty { claims["groups"] = .strings(groups) }
        return try sign(claims)
    }

    func sign(_ claims: [String: JSONValue], index: Int = 0, kid: String? = nil) throws -> String {
        try state.withLock { try $0.keys.sign(claims: claims, index: index, kid: kid) }
    }

    /// Random base64url text, the shape of Entra's opaque `aio`, `uti` and `rh` claims.
    static func opaque(_ length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }

    static func timestamp(_ date: Date = Date()) -> String { RFC3339.string(date, fraction: .milliseconds) }
}

/// One request the simulator answered (control-API calls excluded).
public struct LoggedRequest: Sendable, Equatable {
    public var method: String
    /// Percent-decoded path without the query.
    public var path: String
    public var query: [String: String]
    public var status: Int
    public var date: Date
}
