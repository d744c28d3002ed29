import AsyncHTTPClient
import CofferClient
import CofferTesting
import Foundation
import NIOCore
import NIOHTTP1

/// A `coffer azure-sim` subprocess and a `coffer server -dev` subprocess that trusts it, with the azure
/// mount configured like Examples/azure-sim/README.md's walkthrough, for login tests over loopback.
///
/// ```swift
/// try await AzureLoginLab.with { lab in
///     let login = try await lab.coffer(["login", "-method=azure", "role=dev-role"])
///     #expect(login.status == 0)
///     try await lab.control("PUT", "current-machine", ["scaleSet": "vmss-flex", "instance": "a1b2c3d4"])
/// }
/// ```
/// Roles: `dev-role` and `dev-role-azure` bind subscription `1111…` and resource group `rg-apps` and grant
/// policy `reader` (read `secret/data/*`); `secret/creds` holds `password=s3cr3t`.
final class AzureLoginLab: Sendable {
    static let tenant = ExampleEstate.tenant
    static let subscription = ExampleEstate.subscription
    static let appServiceHeader = ExampleEstate.identityHeader
    static let uamiWebClientID = ExampleEstate.uamiWebClient
    static let uamiWebPrincipal = ExampleEstate.uamiWebPrincipal
    static let vmWebSystemPrincipal = ExampleEstate.vmPrincipal

    let home: String
    /// `http://127.0.0.1:PORT/` of the simulator.
    let simulatorURL: String
    let vaultAddress: String
    let rootToken = "root"
    private let processes: [Process]

    private init(home: String, simulatorURL: String, vaultAddress: String, processes: [Process]) {
        self.home = home
        self.simulatorURL = simulatorURL
        self.vaultAddress = vaultAddress
        self.processes = processes
    }

    /// `AZURE_POD_IDENTITY_AUTHORITY_HOST` for the simulator (no trailing slash).
    var imdsHost: String { String(simulatorURL.dropLast()) }
    var tokenFile: String { home + "/.vault-token" }

    static func with<T: Sendable>(_ body: (AzureLoginLab) async throws -> T) async throws -> T {
        let lab = try await start()
        do {
            let result = try await body(lab)
            lab.stop()
            return result
        } catch {
            lab.stop()
            throw error
        }
    }

    private static func start() async throws -> AzureLoginLab {
        let binary = try DevServer.binaryPath
        let root = ExampleEstate.repositoryRoot.path
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-azl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var processes: [Process] = []
        do {
            let simPort = try DevServer.freePort()
            let simulator = try launch(
                binary,
                [
                    "azure-sim", "--fixture", root + "/Examples/azure-sim/fixture.json", "--port", String(simPort),
                    "--env-file", home + "/azure-env.json",
                ], environment: cleanEnvironment(home: home), log: home + "/sim.log")
            processes.append(simulator)
            let simulatorURL = "http://127.0.0.1:\(simPort)/"
            try await waitFor(simulatorURL + "_simulator/health", process: simulator, log: home + "/sim.log")

            let serverPort = try DevServer.freePort()
            var serverEnvironment = cleanEnvironment(home: home)
            serverEnvironment["AZURE_ENVIRONMENT_FILEPATH"] = home + "/azure-env.json"
            let server = try launch(
                binary,
                ["server", "-dev", "-dev-root-token-id=root", "-dev-listen-address=127.0.0.1:\(serverPort)"],
                environment: serverEnvironment, log: home + "/server.log")
            processes.append(server)
            let address = "http://127.0.0.1:\(serverPort)"
            try await waitFor(address + "/v1/sys/health", process: server, log: home + "/server.log")
            let lab = AzureLoginLab(home: home, simulatorURL: simulatorURL, vaultAddress: address, processes: processes)
            try await lab.configure()
            return lab
        } catch {
            for process in processes where process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: home)
            throw error
        }
    }

    func stop() {
        for process in processes where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: home)
    }

    /// The walkthrough's configuration, through the API as root.
    private func configure() async throws {
        try await withVaultClient(.init(address: vaultAddress, token: rootToken)) { client in
            try await client.write("sys/auth/azure", data: ["type": "azure"])
            try await client.write(
                "auth/azure/config",
                data: [
                    "tenant_id": .string(Self.tenant), "resource": .string(ExampleEstate.audience),
                    "environment": "AzureStackCloud", "client_id": .string(ExampleEstate.appID),
                    "client_secret": .string(ExampleEstate.secret),
                ])
            for role in ["dev-role", "dev-role-azure"] {
                try await client.write(
                    "auth/azure/role/\(role)",
                    data: [
                        "token_policies": "reader", "bound_subscription_ids": .string(Self.subscription),
                        "bound_resource_groups": "rg-apps",
                    ])
            }
            try await client.write(
                "sys/policy/reader", data: ["policy": "path \"secret/data/*\" { capabilities = [\"read\"] }"])
            try await client.kvV2(mount: "secret").put("creds", ["password": "s3cr3t"])
        }
    }

    // MARK: - Running programs

    /// Runs `coffer <arguments>` as a workload: `VAULT_ADDR`, private `HOME`, IMDS at the simulator, no token.
    func coffer(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> DevServer.Result {
        try await run(try DevServer.binaryPath, arguments, environment: extra)
    }

    /// Runs the example program built next to `coffer`.
    func example(environment extra: [String: String] = [:]) async throws -> DevServer.Result {
        let path = URL(fileURLWithPath: try DevServer.binaryPath).deletingLastPathComponent()
            .appendingPathComponent("GetSecretWithAzureAuth").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw DevServer.Failure(
                description: "\(path) not built; run `swift build --product GetSecretWithAzureAuth`")
        }
        return try await run(path, [], environment: extra)
    }

    /// The workload environment plus `extra` (a value of "" removes the variable).
    func environment(_ extra: [String: String]) -> [String: String] {
        var environment = Self.cleanEnvironment(home: home)
        environment["VAULT_ADDR"] = vaultAddress
        environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = imdsHost
        for (key, value) in extra {
            environment[key] = value.isEmpty ? nil : value
        }
        return environment
    }

    private func run(_ executable: String, _ arguments: [String], environment extra: [String: String]) async throws
        -> DevServer.Result
    {
        try await ProgramRunner.run(executable, arguments, environment: environment(extra), scratch: home)
    }

    /// The inherited environment without anything that would pick a token or an Azure source.
    static func cleanEnvironment(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("VAULT_") && !key.hasPrefix("AZURE_") && !key.hasPrefix("IDENTITY_")
                && !key.hasPrefix("IMDS_") && !key.hasPrefix("WEBSITE_")
        }
        environment["HOME"] = home
        return environment
    }

    private static func launch(_ binary: String, _ arguments: [String], environment: [String: String], log: String)
        throws -> Process
    {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    private static func waitFor(_ url: String, process: Process, log: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw DevServer.Failure(description: "\(process.arguments ?? []) exited:\n\(text)")
            }
            if let (status, _) = try? await http("GET", url), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DevServer.Failure(description: "\(url) did not answer within 30 s")
    }

    // MARK: - Simulator control API

    /// A call to `<simulator>/_simulator/<route>`; throws unless it answers 2xx.
    @discardableResult
    func control(_ method: String, _ route: String, _ body: JSONValue? = nil) async throws -> JSONValue? {
        let (status, data) = try await Self.http(method, simulatorURL + "_simulator/" + route, body: body)
        guard (200..<300).contains(status) else {
            throw DevServer.Failure(
                description: "\(method) \(route) → \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return data.isEmpty ? nil : try JSONValue(parsing: data)
    }

    /// Requests the simulator logged whose path contains `path`, oldest first: (status, query).
    func requests(pathContains path: String) async throws -> [(status: Int64, query: [String: JSONValue])] {
        let answer = try await control("GET", "requests?pathContains=" + path)
        return (answer?["requests"]?.arrayValue ?? []).map {
            ($0["status"]?.intValue ?? 0, $0["query"]?.objectValue ?? [:])
        }
    }

    /// A bare HTTP call on loopback.
    static func http(_ method: String, _ url: String, body: JSONValue? = nil) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), Data(bytes.readableBytesView))
    }
}
