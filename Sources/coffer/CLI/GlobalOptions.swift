import ArgumentParser
import CofferClient
import Foundation

extension NameSpecification {
    /// Vault's flag spelling `-name=value`, also accepted as `--name=value`.
    static func vault(_ name: String) -> NameSpecification {
        [.customLong(name, withSingleDash: true), .customLong(name)]
    }
}

/// Flags every client command takes: `-format`, `-field`, `-address`, `-namespace`, and the TLS flags
/// (`-ca-cert`, `-ca-path`, `-client-cert`, `-client-key`, `-tls-skip-verify`, `-tls-server-name`), which win over
/// their `VAULT_*` variables.
///
/// ```swift
/// @OptionGroup var global: GlobalOptions
/// func run() async throws {
///     try await global.withClient { cli in try cli.printer.secret(… ) }
/// }
/// ```
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .vault("format"),
        help: "Print the output in the given format: table or json (default VAULT_FORMAT or table).")
    var format: String?

    @Option(
        name: .vault("field"), help: "Print only the field with the given name, without a trailing newline when piped.")
    var field: String?

    @Option(name: .vault("address"), help: "Address of the server (default VAULT_ADDR or https://127.0.0.1:8200).")
    var address: String?

    @Option(
        name: [
            .customLong("namespace", withSingleDash: true), .customLong("namespace"),
            .customLong("ns", withSingleDash: true),
        ],
        help: "Namespace sent as X-Vault-Namespace (default VAULT_NAMESPACE).")
    var namespace: String?

    @Option(name: .vault("ca-cert"), help: "PEM file of CA certificates to verify the server with (VAULT_CACERT).")
    var caCert: String?

    @Option(name: .vault("ca-path"), help: "Directory of PEM CA certificates; -ca-cert wins (VAULT_CAPATH).")
    var caPath: String?

    @Option(name: .vault("client-cert"), help: "PEM client certificate for TLS authentication (VAULT_CLIENT_CERT).")
    var clientCert: String?

    @Option(name: .vault("client-key"), help: "PEM private key of -client-cert (VAULT_CLIENT_KEY).")
    var clientKey: String?

    @Flag(name: .vault("tls-skip-verify"), help: "Do not verify the server's certificate (VAULT_SKIP_VERIFY).")
    var tlsSkipVerify = false

    @Option(name: .vault("tls-server-name"), help: "Name for SNI and certificate checks (VAULT_TLS_SERVER_NAME).")
    var tlsServerName: String?

    /// `table` or `json`, from `-format` or `VAULT_FORMAT`.
    var outputFormat: String {
        (format ?? ProcessInfo.processInfo.environment["VAULT_FORMAT"] ?? "table").lowercased()
    }

    var printer: Printer { Printer(format: outputFormat, field: field) }

    /// Runs `body` with a client built from the environment and these flags, and shuts it down.
    func withClient<Result: Sendable>(_ body: (CLIContext) async throws -> Result) async throws -> Result {
        guard ["table", "json"].contains(outputFormat) else {
            throw fail("Invalid output format: \(outputFormat)", code: ExitStatus.usage)
        }
        var configuration: VaultClient.Configuration
        do {
            configuration = try VaultClient.Configuration.fromEnvironment()
        } catch {
            throw fail("\(error)")
        }
        if let address { configuration.address = address }
        if let namespace { configuration.namespace = namespace }
        applyTLSFlags(to: &configuration)
        let client: VaultClient
        do {
            client = try VaultClient(configuration: configuration)
        } catch {
            throw fail("\(error)")
        }
        let context = CLIContext(client: client, printer: printer)
        do {
            let result = try await body(context)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

extension GlobalOptions {
    /// Non-empty TLS flags replace what the environment gave, as Vault's flags do.
    func applyTLSFlags(to configuration: inout VaultClient.Configuration) {
        if let caCert, !caCert.isEmpty { configuration.tls.caCertificateFile = caCert }
        if let caPath, !caPath.isEmpty { configuration.tls.caDirectory = caPath }
        if let clientCert, !clientCert.isEmpty { configuration.tls.clientCertificateFile = clientCert }
        if let clientKey, !clientKey.isEmpty { configuration.tls.clientKeyFile = clientKey }
        if tlsSkipVerify { configuration.skipTLSVerification = true }
        if let tlsServerName, !tlsServerName.isEmpty { configuration.tls.serverName = tlsServerName }
    }
}

/// What a running command works with: the API client and the output printer.
struct CLIContext: Sendable {
    let client: VaultClient
    let printer: Printer

    /// Runs a server call; a failure is printed as `<errorPrefix>: <error>` and exits with 2.
    func call<Result: Sendable>(_ errorPrefix: String?, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(errorPrefix.map { "\($0): \(error)" } ?? "\(error)")
        }
    }
}
