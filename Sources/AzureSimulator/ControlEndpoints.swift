import CofferJSON
import Foundation

/// The simulator's own control API under `/_simulator/` (no authentication; loopback only). It mirrors the
/// Swift API for other processes (the `coffer azure-sim token` command, scripts, benchmarks). Requests whose `Host`
/// is not a loopback literal or `localhost` are refused (403; 400 without exactly one `Host`), so a web page that
/// rebinds its DNS name to 127.0.0.1 cannot drive it from a browser.
///
/// ```text
/// GET    /_simulator/health                         {"status":"ok"}
/// GET    /_simulator/environment                    the Azure-Stack environment document
/// GET    /_simulator/fixture                        the current estate (fixture JSON)
/// PUT    /_simulator/fixture                        replace the estate (validated)
/// PUT    /_simulator/current-machine                {"virtualMachine":"vm1"} or {"scaleSet":"vmss","instance":"0"}
/// POST   /_simulator/tokens/managed-identity        {"vm"|"scaleSet"(+"instance")|"resourceId", "identity"?, "resource"?}
/// POST   /_simulator/tokens/workload-identity       {"clientId", "audience"}
/// POST   /_simulator/tokens/custom                  {"claims":{…}, "kid"?, "signingKeyIndex"?}
///                                                   → {"access_token": "<jwt>"}
/// POST   /_simulator/keys/rotate                    → the new JWKS
/// POST   /_simulator/faults                         {"pathContains", "method"?, "status"?, "retryAfter"?, "delayMilliseconds"?, "count"?}
/// DELETE /_simulator/faults
/// GET    /_simulator/requests[?pathContains=…]      {"requests":[{"method","path","query","status","date"}], "count"}
/// DELETE /_simulator/requests
/// PUT    /_simulator/throttling                     {"enabled", "capacity"?, "refillPerSecond"?}
/// ```
extension SimulatorCore {
    func handleControl(_ request: SimulatorRequest) async -> SimulatorResponse {
        let route = String(request.path.dropFirst("/_simulator/".count))
        let body = request.json() ?? [:]
        switch (request.method, route) {
        case ("GET", "health"): return .json(200, ["status": "ok"])
        case ("GET", "environment"): return environmentDocument()
        case ("GET", "fixture"): return fixtureDocument()
        case ("PUT", "fixture"): return replaceFixture(request.body)
        case ("PUT", "current-machine"): return setCurrentMachine(body)
        case ("POST", "tokens/managed-identity"): return issue { try managedIdentityControlToken(body) }
        case ("POST", "tokens/workload-identity"):
            return issue {
                guard let client = body["clientId"]?.stringValue, let audience = body["audience"]?.stringValue else {
                    throw SimulatorError.invalidArgument("clientId and audience are required")
                }
                return try workloadIdentityToken(clientID: client, audience: audience)
            }
        case ("POST", "tokens/custom"):
            return issue {
                guard let claims = body["claims"]?.objectValue else {
                    throw SimulatorError.invalidArgument("claims (an object) is required")
                }
                return try sign(
                    claims, index: body["signingKeyIndex"]?.intValue.map(Int.init) ?? 0, kid: body["kid"]?.stringValue)
            }
        case ("POST", "keys/rotate"): return rotateSigningKeys()
        case ("POST", "faults"): return addFault(body)
        case ("DELETE", "faults"):
            state.withLock { $0.faults.removeAll() }
            return .empty(204)
        case ("GET", "requests"): return requestLog(pathContains: request.query["pathContains"])
        case ("DELETE", "requests"):
            state.withLock { $0.log.removeAll() }
            return .empty(204)
        case ("PUT", "throttling"): return setThrottling(body)
        default:
            return .json(404, ["error": .string("no control endpoint \(request.method) /_simulator/\(route)")])
        }
    }

    private static func bad(_ message: String) -> SimulatorResponse { .json(400, ["error": .string(message)]) }

    private func environmentDocument() -> SimulatorResponse {
        let base = baseURL
        return .json(
            200,
            [
                "name": "AzureSimulator", "activeDirectoryEndpoint": .string(base),
                "resourceManagerEndpoint": .string(base), "microsoftGraphEndpoint": .string(base + "graph/"),
                "tokenAudience": .string(AzureSimulator.armTokenAudience),
            ])
    }

    private func fixtureDocument() -> SimulatorResponse {
        let fixture = state.withLock { $0.fixture }
        guard let data = try? JSONEncoder().encode(fixture) else { return Self.bad("cannot encode fixture") }
        return SimulatorResponse(status: 200, headers: [("Content-Type", "application/json")], body: data)
    }

    private func replaceFixture(_ body: Data) -> SimulatorResponse {
        do {
            let fixture = try SimulatorFixture.parse(body)
            state.withLock { $0.fixture = fixture }
            return .empty(204)
        } catch {
            return Self.bad("\(error)")
        }
    }

    private func setCurrentMachine(_ body: JSONValue) -> SimulatorResponse {
        let machine = SimulatorFixture.CurrentMachine(
            virtualMachine: body["virtualMachine"]?.stringValue, scaleSet: body["scaleSet"]?.stringValue,
            instance: body["instance"]?.stringValue)
        state.withLock { $0.fixture.currentMachine = machine }
        return .empty(204)
    }

    /// A managed-identity token for the host the body names by VM, scale-set instance or resource id.
    private func managedIdentityControlToken(_ body: JSONValue) throws -> String {
        let catalog = self.catalog
        let host: ResourceCatalog.Host
        if let vm = body["vm"]?.stringValue {
            host = try catalog.host(named: vm)
        } else if let scaleSet = body["scaleSet"]?.stringValue {
            host = try catalog.host(scaleSet: scaleSet, instance: body["instance"]?.stringValue)
        } else if let resource = body["resourceId"]?.stringValue {
            host = try catalog.host(resource: resource)
        } else {
            throw SimulatorError.invalidArgument("one of vm, scaleSet or resourceId is required")
        }
        let selector = body["identity"]?.stringValue.map(ResourceCatalog.Selector.any)
        guard let grant = try? catalog.grant(on: host, selector: selector) else {
            throw SimulatorError.notFound(
                "no matching managed identity \(body["identity"]?.stringValue ?? "") on \(host.name)")
        }
        let resource = body["resource"]?.stringValue ?? AzureSimulator.armTokenAudience
        return try managedIdentityToken(grant, resource: resource).token
    }

    private func rotateSigningKeys() -> SimulatorResponse {
        do {
            let fresh = try SigningKeySet.generate()
            return .json(
                200,
                state.withLock { state in
                    state.keys.rotate(to: fresh)
                    return state.keys.jwks()
                })
        } catch {
            return .json(500, ["error": .string("\(error)")])
        }
    }

    private func addFault(_ body: JSONValue) -> SimulatorResponse {
        guard let path = body["pathContains"]?.stringValue else { return Self.bad("pathContains is required") }
        let fault = Fault(
            pathContains: path, method: body["method"]?.stringValue, status: body["status"]?.intValue.map(Int.init),
            retryAfter: body["retryAfter"]?.intValue.map(Int.init),
            delay: body["delayMilliseconds"]?.intValue.map { .milliseconds($0) },
            remaining: body["count"]?.intValue.map(Int.init) ?? 1)
        state.withLock { $0.faults.append(fault) }
        return .empty(204)
    }

    private func requestLog(pathContains filter: String?) -> SimulatorResponse {
        let entries = state.withLock { $0.log }.filter { filter.map($0.path.contains) ?? true }
        let rendered: [JSONValue] = entries.map { entry in
            [
                "method": .string(entry.method), "path": .string(entry.path),
                "query": .object(entry.query.mapValues { .string($0) }), "status": .int(Int64(entry.status)),
                "date": .string(Self.timestamp(entry.date)),
            ]
        }
        return .json(200, ["requests": .array(rendered), "count": .int(Int64(rendered.count))])
    }

    private func setThrottling(_ body: JSONValue) -> SimulatorResponse {
        let enabled = body["enabled"]?.boolValue ?? false
        let throttle =
            enabled
            ? Throttle(
                capacity: body["capacity"]?.doubleValue ?? 250,
                refillPerSecond: body["refillPerSecond"]?.doubleValue ?? 25)
            : nil
        state.withLock { $0.throttle = throttle }
        return .empty(204)
    }

    private func issue(_ make: () throws -> String) -> SimulatorResponse {
        do {
            return .json(200, ["access_token": .string(try make())])
        } catch let error as SimulatorError {
            switch error {
            case .notFound: return .json(404, ["error": .string(error.description)])
            default: return .json(400, ["error": .string(error.description)])
            }
        } catch {
            return .json(500, ["error": .string("\(error)")])
        }
    }
}
