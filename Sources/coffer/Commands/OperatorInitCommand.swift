import ArgumentParser
import CofferClient

/// `coffer operator init`: `GET sys/seal-status` (a recovery seal takes `-recovery-*` instead of `-key-*`), then
/// `PUT sys/init`; prints the unseal keys and the initial root token. `-status` only asks `GET sys/init`.
///
/// ```sh
/// coffer operator init -key-shares=5 -key-threshold=3 -format=json
/// coffer operator init -status        # exit 0 initialised, 2 not
/// ```
struct OperatorInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Initializes a server")

    @OptionGroup var global: GlobalOptions
    @Option(name: .vault("key-shares"), help: "Number of unseal key shares (default 5).") var keyShares = 0
    @Option(name: .vault("key-threshold"), help: "Shares needed to unseal (default 3).") var keyThreshold = 0
    @Option(name: .vault("recovery-shares"), help: "Recovery key shares (auto-unseal seals).") var recoveryShares = 0
    @Option(name: .vault("recovery-threshold"), help: "Recovery shares needed.") var recoveryThreshold = 0
    @Flag(name: .vault("status"), help: "Print whether the server is initialized (exit 0 yes, 2 no).")
    var status = false
    @Argument var arguments: [String] = []

    func run() async throws {
        try expectArguments(arguments, count: 0)
        try await global.withClient { cli in
            if status { return try await Self.printInitStatus(cli) }
            let sealStatus: VaultResponse
            do {
                sealStatus = try await cli.client.request("GET", "sys/seal-status")
            } catch {
                throw fail("\(error)")
            }
            let request = requestBody(recoverySeal: sealStatus.json?["recovery_seal"]?.boolValue == true)
            let response = try await cli.call("Error initializing") {
                try await cli.client.request("PUT", "sys/init", body: .object(request))
            }
            let answer = response.json?.objectValue ?? [:]
            if cli.printer.isTable {
                printTable(answer, request: request)
            } else {
                Console.output(Self.machineJSON(answer, request: request))
            }
        }
    }

    /// The Go CLI's `InitRequest` defaults: 5/3 for whichever kind of keys the seal hands out. Zero values are
    /// left out, which the server reads as "not given", as Vault does for the Go client's zeros.
    func requestBody(recoverySeal: Bool) -> [String: JSONValue] {
        var shares = keyShares, threshold = keyThreshold
        var recoveryShares = recoveryShares, recoveryThreshold = recoveryThreshold
        if recoverySeal {
            if recoveryShares == 0 { recoveryShares = 5 }
            if recoveryThreshold == 0 { recoveryThreshold = 3 }
        } else {
            if shares == 0 { shares = 5 }
            if threshold == 0 { threshold = 3 }
        }
        var body: [String: JSONValue] = [:]
        let values = [
            ("secret_shares", shares), ("secret_threshold", threshold), ("recovery_shares", recoveryShares),
            ("recovery_threshold", recoveryThreshold),
        ]
        for (key, value) in values where value != 0 { body[key] = .int(Int64(value)) }
        return body
    }

    static func printInitStatus(_ cli: CLIContext) async throws {
        let initialized: Bool
        do {
            initialized = try await cli.client.request("GET", "sys/init").json?["initialized"]?.boolValue ?? false
        } catch {
            throw fail("Error checking init status: \(error)", code: ExitStatus.usage)
        }
        Console.output(initialized ? "Vault is initialized" : "Vault is not initialized")
        if !initialized { throw ExitCode(ExitStatus.server) }
    }

    /// Vault's `machineInit` struct, the `-format=json` output.
    static func machineJSON(_ answer: [String: JSONValue], request: [String: JSONValue]) -> String {
        let zero: JSONValue = 0
        let object: [String: JSONValue] = [
            "unseal_keys_b64": answer["keys_base64"] ?? .array([]),
            "unseal_keys_hex": answer["keys"] ?? .array([]),
            "unseal_shares": request["secret_shares"] ?? zero,
            "unseal_threshold": request["secret_threshold"] ?? zero,
            "recovery_keys_b64": answer["recovery_keys_base64"] ?? .array([]),
            "recovery_keys_hex": answer["recovery_keys"] ?? .array([]),
            "recovery_keys_shares": request["recovery_shares"] ?? zero,
            "recovery_keys_threshold": request["recovery_threshold"] ?? zero,
            "root_token": answer["root_token"] ?? "",
        ]
        let order = [
            "unseal_keys_b64", "unseal_keys_hex", "unseal_shares", "unseal_threshold", "recovery_keys_b64",
            "recovery_keys_hex", "recovery_keys_shares", "recovery_keys_threshold", "root_token",
        ]
        return JSONValue.object(object).formatted(keyOrder: order)
    }

    private func printTable(_ answer: [String: JSONValue], request: [String: JSONValue]) {
        let keys = Self.strings(answer["keys"]), keysBase64 = Self.strings(answer["keys_base64"])
        for (index, key) in keys.enumerated() {
            Console.output("Unseal Key \(index + 1): \(keysBase64.count == keys.count ? keysBase64[index] : key)")
        }
        let recovery = Self.strings(answer["recovery_keys"])
        let recoveryBase64 = Self.strings(answer["recovery_keys_base64"])
        for (index, key) in recovery.enumerated() {
            let shown = recoveryBase64.count == recovery.count ? recoveryBase64[index] : key
            Console.output("Recovery Key \(index + 1): \(shown)")
        }
        Console.output("")
        Console.output("Initial Root Token: \(GoFormat.value(answer["root_token"] ?? ""))")
        let shares = request["secret_shares"]?.intValue ?? 0, threshold = request["secret_threshold"]?.intValue ?? 0
        if keys.isEmpty {
            Console.output("\nSuccess! Vault is initialized")
        } else {
            Console.output("")
            Console.output(Console.wrap(Self.advice(shares: shares, threshold: threshold)))
        }
        guard !recovery.isEmpty else { return }
        let recoveryShares = request["recovery_shares"]?.intValue ?? 0
        let recoveryThreshold = request["recovery_threshold"]?.intValue ?? 0
        Console.output("")
        Console.output(
            Console.wrap(
                "Recovery key initialized with \(recoveryShares) key shares and a key threshold of "
                    + "\(recoveryThreshold). Please securely distribute the key shares printed above."))
        if keyShares != 0 || keyThreshold != 0 {
            Console.error("")
            Console.error(
                Console.wrap(
                    "WARNING! -key-shares and -key-threshold is ignored when Auto Unseal is used. Use "
                        + "-recovery-shares and -recovery-threshold instead."))
        }
    }

    static func advice(shares: Int64, threshold: Int64) -> String {
        "Vault initialized with \(shares) key shares and a key threshold of \(threshold). Please securely "
            + "distribute the key shares printed above. When the Vault is re-sealed, restarted, or stopped, you "
            + "must supply at least \(threshold) of these keys to unseal it before it can start servicing requests."
            + "\n\nVault does not store the generated root key. Without at least \(threshold) keys to reconstruct "
            + "the root key, Vault will remain permanently sealed!"
            + "\n\nIt is possible to generate new unseal keys, provided you have a quorum of existing unseal keys "
            + "shares. See \"vault operator rekey\" for more information."
    }

    static func strings(_ value: JSONValue?) -> [String] {
        value?.stringArray ?? []
    }
}
