import CofferFramework
import Foundation

extension Core {
    /// This core's metrics (``CoreConfiguration/metrics``).
    public var metrics: CofferMetrics { configuration.metrics }

    /// `sys/metrics` as Vault answers it (docs/metrics.md): `format=prometheus` (or an OpenMetrics / Prometheus
    /// `Accept`) gives the text exposition format when a `telemetry` stanza enabled it, no format gives Vault's
    /// JSON, anything else is a 400. Gauges that describe state (seal, leases, token counts) are brought up to date
    /// first. Needs no token: callers decide who may ask (the pipeline's ACL, or a listener's
    /// `unauthenticated_metrics_access`).
    public func metricsResponse(format: String?, accept: String?) async -> MetricsResponse {
        var chosen = format ?? ""
        if chosen.isEmpty, let accept, Self.acceptsPrometheus(accept) { chosen = "prometheus" }
        switch chosen {
        case "prometheus":
            guard metrics.settings.prometheusEnabled else {
                return MetricsResponse(status: 400, contentType: "text/plain", body: "prometheus is not enabled")
            }
            await refreshStateGauges()
            return MetricsResponse(
                status: 200, contentType: MetricsResponse.prometheusContentType, body: metrics.registry.emitToString())
        case "":
            await refreshStateGauges()
            let document = metrics.memory.snapshot().serialized()
            return MetricsResponse(
                status: 200, contentType: "application/json", body: String(decoding: document, as: UTF8.self))
        default:
            // Vault's text, in the `{"errors":[…]}` form every other refused input gets (Vault answers plain text
            // here; docs/metrics.md).
            let refusal: JSONValue = ["errors": [.string("metric response format \(GoQuote.quote(chosen)) unknown")]]
            return MetricsResponse(
                status: 400, contentType: "application/json",
                body: String(decoding: refusal.serialized(), as: UTF8.self))
        }
    }

    /// Vault's rule: an `Accept` starting with the OpenMetrics type, or naming Prometheus' protobuf schema.
    static func acceptsPrometheus(_ accept: String) -> Bool {
        let lowered = accept.lowercased()
        return lowered.hasPrefix("application/openmetrics-text") || lowered.contains("io.prometheus.client")
    }

    /// Times one request as Vault does: `handle_request` or `handle_login_request`, and
    /// `vault.route.<operation>.<mount>` for the mount it reached.
    func recordRequest(_ request: CoreRequest, since started: ContinuousClock.Instant) {
        let milliseconds = CofferMetrics.milliseconds(since: started)
        metrics.requestHandled(login: Self.isLoginPath(request.path[...]), milliseconds: milliseconds)
        guard let (route, _) = router.match(request.path) else { return }
        metrics.routeHandled(
            operation: request.operation.rawValue, mountPoint: route.mount.routePrefix, milliseconds: milliseconds)
    }

    /// Whether a request is a login, which Vault times as `handle_login_request` instead of `handle_request`:
    /// a `login` segment under an auth mount other than the token store.
    static func isLoginPath(_ path: Substring) -> Bool {
        // Native strings are read as a buffer: Substring's `hasPrefix` (by Character) and generic UTF-8 index walk
        // cost a login ~1 µs here.
        if let found = path.utf8.withContiguousStorageIfAvailable({ bytes in
            starts(bytes, with: "auth/") && !starts(bytes, with: "auth/token/") && hasLoginSegment(bytes)
        }) {
            return found
        }
        guard path.hasPrefix("auth/"), !path.hasPrefix("auth/token/") else { return false }
        // The non-empty `/`-separated segments from the third on, compared as bytes: every request passes here,
        // and splitting the path allocated an array of substrings each time.
        let bytes = path.utf8
        var segment = 0
        var start: Substring.UTF8View.Index? = nil
        for index in bytes.indices {
            if bytes[index] == UInt8(ascii: "/") {
                if let begin = start {
                    if segment >= 2, bytes[begin..<index].elementsEqual("login".utf8) { return true }
                    segment += 1
                    start = nil
                }
            } else if start == nil {
                start = index
            }
        }
        if let begin = start, segment >= 2 { return bytes[begin...].elementsEqual("login".utf8) }
        return false
    }

    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, with prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return prefix.withUTF8Buffer { prefix in
            for index in 0..<prefix.count where bytes[index] != prefix[index] { return false }
            return true
        }
    }

    /// ``isLoginPath(_:)``'s segment rule on the path's bytes: a non-empty segment from the third on is `login`.
    private static func hasLoginSegment(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var segment = 0
        var start = -1
        for index in 0...bytes.count {
            guard index == bytes.count || bytes[index] == UInt8(ascii: "/") else {
                if start < 0 { start = index }
                continue
            }
            guard start >= 0 else { continue }
            if segment >= 2, index - start == 5, bytes[start] == UInt8(ascii: "l"),
                bytes[start + 1] == UInt8(ascii: "o"), bytes[start + 2] == UInt8(ascii: "g"),
                bytes[start + 3] == UInt8(ascii: "i"), bytes[start + 4] == UInt8(ascii: "n")
            {
                return true
            }
            segment += 1
            start = -1
        }
        return false
    }

    /// Counts one minted token as `vault.token.creation`, labelled with the mount that minted it.
    func recordTokenCreation(_ entry: TokenEntry) {
        let mount = router.match(entry.path)?.0.mount
        metrics.tokenCreated(
            authMethod: mount?.type ?? "token", mountPoint: mount?.routePrefix ?? "auth/token/", ttlSeconds: entry.ttl,
            tokenType: entry.type == .batch ? "batch" : "service")
    }

    /// Seal and lease gauges (cheap, every scrape) and the usage gauges (when `usage_gauge_period` has passed).
    func refreshStateGauges() async {
        let current = state.withLock { $0 }
        metrics.setSealGauges(unsealed: !isSealed, active: current != nil)
        guard let current else { return }
        metrics.setLeaseCount(current.expiration.pendingCount)
        guard metrics.claimUsageRefresh(now: now) else { return }
        let counting = Task {
            do {
                metrics.setUsageGauges(try await usageCounts(current))
            } catch {
                logger.warning("counting tokens and entities for metrics failed", metadata: ["error": "\(error)"])
            }
        }
        // A count reads every stored token. A scrape waits for it only briefly: a small store's figures are in this
        // answer, a large store is counted in the background and its figures appear from a later scrape on.
        _ = await counting.ends(within: Self.usageCountWait)
    }

    /// How long a scrape waits for a due usage count before answering with the previous figures.
    static let usageCountWait = Duration.seconds(1)

    /// Service tokens by policy, auth method and TTL bucket, and the number of entities.
    func usageCounts(_ unsealed: Unsealed) async throws -> CofferMetrics.UsageCounts {
        var counts = CofferMetrics.UsageCounts()
        try await unsealed.tokens.forEachStoredEntry { entry in
            counts.tokens += 1
            for policy in entry.policies { counts.byPolicy[policy, default: 0] += 1 }
            counts.byAuth[router.match(entry.path)?.0.mount.type ?? "token", default: 0] += 1
            counts.byTTL[TTLBucket.label(seconds: entry.ttl), default: 0] += 1
        }
        counts.entities = try await unsealed.identity.entityIDs().count
        return counts
    }
}
