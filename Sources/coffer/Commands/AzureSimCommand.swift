import ArgumentParser
import AsyncHTTPClient
import AzureSimulator
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// `coffer azure-sim`: runs the Azure simulator (Entra ID, ARM, Graph, IMDS) on loopback and prints the
/// environment that points Azure clients (and Coffer's azure auth method) at it.
///
/// ```sh
/// coffer azure-sim --fixture Examples/azure-sim/fixture.json --port 8480
/// coffer azure-sim token --vm vm-web --url http://127.0.0.1:8480/
/// ```
struct AzureSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "azure-sim",
        abstract: "Run a simulated Azure tenant (Entra ID, ARM, Graph, IMDS) on 127.0.0.1",
        discussion: """
            Serves every Azure role from one loopback base URL, writes an Azure-Stack-style environment file \
            (AZURE_ENVIRONMENT_FILEPATH) and prints the variables to export. Runs until SIGINT or SIGTERM. \
            The fixture format is documented in Examples/azure-sim/README.md.
            """,
        subcommands: [AzureSimTokenCommand.self])

    @Option(name: .vault("fixture"), help: "JSON fixture describing the tenant, identities and resources.")
    var fixture: String?

    @Option(name: .vault("port"), help: "TCP port on 127.0.0.1 (0 picks a free port).")
    var port: Int = 0

    @Option(name: .vault("env-file"), help: "Where to write the environment file (default: a temporary file).")
    var envFile: String?

    func run() async throws {
        guard let fixture else { throw fail("Missing required option --fixture", code: ExitStatus.usage) }
        let simulator: AzureSimulator
        do {
            simulator = try AzureSimulator(fixture: SimulatorFixture.load(path: fixture))
            try await simulator.start(port: port)
        } catch {
            throw fail("Error starting the Azure simulator: \(error)", code: ExitStatus.usage)
        }
        let path =
            envFile
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "coffer-azure-sim-\(ProcessInfo.processInfo.processIdentifier).json"
            ).path
        guard FileManager.default.createFile(atPath: path, contents: Data(simulator.environment.serialized()))
        else {
            await simulator.stop()
            throw fail("Error writing the environment file \(path)", code: ExitStatus.usage)
        }
        let banner = Self.banner(simulator, environmentFile: path)
        let group = ServiceGroup(
            configuration: .init(
                services: [SimulatorService(simulator: simulator, banner: banner)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: "azure-sim")))
        try? await group.run()
        await simulator.stop()
        if envFile == nil { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Keeps the simulator up until SIGINT/SIGTERM starts a graceful shutdown. The banner is printed here,
    /// once the group traps the signals, so a caller that signals right after reading it is handled.
    struct SimulatorService: Service {
        let simulator: AzureSimulator
        let banner: String

        func run() async throws {
            Console.output(banner)
            try? await gracefulShutdown()
            await simulator.stop()
        }
    }

    static func banner(_ simulator: AzureSimulator, environmentFile: String) -> String {
        let base = simulator.baseURL
        let host = String(base.dropLast())
        let environment = simulator.environment
        let tenants = simulator.fixture.tenants
        var lines = [
            "==> Azure simulator listening on \(base) (loopback only)", "",
            "  activeDirectoryEndpoint: \(environment["activeDirectoryEndpoint"]?.stringValue ?? "")",
            "  resourceManagerEndpoint: \(environment["resourceManagerEndpoint"]?.stringValue ?? "")",
            "  microsoftGraphEndpoint:  \(environment["microsoftGraphEndpoint"]?.stringValue ?? "")",
            "  tokenAudience:           \(environment["tokenAudience"]?.stringValue ?? "")",
            "  IMDS token endpoint:     \(base)metadata/identity/oauth2/token",
            "  App Service endpoint:    \(base)msi/token (IDENTITY_HEADER=\(simulator.appServiceIdentityHeader))",
            "  Control API:             \(base)_simulator/",
            "  Environment file:        \(environmentFile)",
        ]
        for tenant in tenants {
            lines.append("  Tenant:                  \(tenant.tenantId) (\(tenant.displayName))")
            lines.append("  OIDC discovery:          \(base)\(tenant.tenantId)/.well-known/openid-configuration")
        }
        lines += [
            "", "export AZURE_ENVIRONMENT=AzureStackCloud",
            "export AZURE_ENVIRONMENT_FILEPATH=\(environmentFile)",
            "export AZURE_POD_IDENTITY_AUTHORITY_HOST=\(host)",
            "export AZURE_TENANT_ID=\(tenants.first?.tenantId ?? "")",
            "export AZURE_SIM_URL=\(base)",
        ]
        return lines.joined(separator: "\n")
    }
}

/// `coffer azure-sim token`: a managed-identity JWT from a running simulator, signed with the keys that
/// simulator publishes, ready for `coffer write auth/azure/login jwt=…`.
///
/// ```sh
/// coffer azure-sim token --vm vm-web --identity uami-web --resource https://management.azure.com/
/// ```
struct AzureSimTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Print a managed-identity token issued by the Azure simulator")

    @Option(name: .vault("vm"), help: "VM name or id, or a flexible scale-set instance <vmss>_<suffix>.")
    var vm: String?

    @Option(name: .vault("scale-set"), help: "Scale set name (instead of --vm).")
    var scaleSet: String?

    @Option(name: .vault("instance"), help: "Scale-set instance (default: the first).")
    var instance: String?

    @Option(name: .vault("identity"), help: "User-assigned identity: name, client id, principal id or resource id.")
    var identity: String?

    @Option(name: .vault("resource"), help: "Token audience.")
    var resource: String = AzureSimulator.armTokenAudience

    @Option(name: .vault("url"), help: "Base URL of a running simulator (default AZURE_SIM_URL).")
    var url: String?

    @Option(
        name: .vault("fixture"),
        help: "Without a running simulator: issue from a one-off simulator on this fixture (its keys die with it).")
    var fixture: String?

    func run() async throws {
        guard (vm == nil) != (scaleSet == nil) else {
            throw fail("Exactly one of --vm or --scale-set is required", code: ExitStatus.usage)
        }
        let environmentURL = ProcessInfo.processInfo.environment["AZURE_SIM_URL"].nonEmpty
        if let base = url ?? environmentURL {
            Console.output(try await fetch(base: base))
            return
        }
        guard let fixture else {
            throw fail("No simulator to ask: pass --url (or set AZURE_SIM_URL), or --fixture", code: ExitStatus.usage)
        }
        let token: String
        do {
            let simulator = try AzureSimulator(fixture: SimulatorFixture.load(path: fixture))
            if let vm {
                token = try simulator.managedIdentityToken(vm: vm, identity: identity, resource: resource)
            } else {
                token = try simulator.managedIdentityToken(
                    scaleSet: scaleSet ?? "", instance: instance, identity: identity, resource: resource)
            }
        } catch {
            throw fail("Error issuing the token: \(error)", code: ExitStatus.usage)
        }
        Console.error("Note: signed by a one-off key set; only a simulator started with --url can verify it.")
        Console.output(token)
    }

    private func fetch(base: String) async throws -> String {
        let root = base.hasSuffix("/") ? base : base + "/"
        guard let endpoint = URL(string: root + "_simulator/tokens/managed-identity"), let host = endpoint.host,
            AzureSimulator.isLoopbackHost(host)
        else { throw fail("The simulator URL must be a loopback http URL: \(base)", code: ExitStatus.usage) }
        var body: [String: JSONValue] = ["resource": .string(resource)]
        if let vm { body["vm"] = .string(vm) }
        if let scaleSet { body["scaleSet"] = .string(scaleSet) }
        if let instance { body["instance"] = .string(instance) }
        if let identity { body["identity"] = .string(identity) }
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: JSONValue.object(body).serialized()))
        let data: Data
        let status: UInt
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            status = response.status.code
            data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            throw fail("Error contacting the simulator at \(root): \(error)")
        }
        let answer = try? JSONParser.parse(data)
        guard status == 200, let token = answer?["access_token"]?.stringValue else {
            throw fail(
                "Error issuing the token: \(answer?["error"]?.stringValue ?? String(decoding: data, as: UTF8.self))")
        }
        return token
    }
}
