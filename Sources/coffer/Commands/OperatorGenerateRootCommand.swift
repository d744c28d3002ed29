import ArgumentParser
import CofferClient
import CofferCore
import Foundation

/// `coffer operator generate-root`: a new root token from a quorum of unseal key shares, over
/// `sys/generate-root/attempt` and `sys/generate-root/update`, and the local `-decode` of the encoded token.
///
/// ```sh
/// coffer operator generate-root -init                  # the server picks the OTP and shows it once
/// coffer operator generate-root -nonce=$NONCE $SHARE   # repeat until Complete is true
/// coffer operator generate-root -decode=$ENCODED -otp=$OTP
/// ```
struct OperatorGenerateRootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-root", abstract: "Generates a new root token")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .vault("init"), help: "Start a root token generation.") var initialize = false
    @Flag(name: .vault("status"), help: "Print the status of the current attempt.") var status = false
    @Flag(name: .vault("cancel"), help: "Cancel the current attempt.") var cancel = false
    @Flag(name: .vault("generate-otp"), help: "Print a fresh OTP of the length the server expects.")
    var generateOTP = false
    @Option(name: .vault("otp"), help: "OTP for -init or -decode.") var otp = ""
    @Option(name: .vault("pgp-key"), help: "PGP key to encrypt the new token with (not supported by Coffer).")
    var pgpKey = ""
    @Option(name: .vault("decode"), help: "Decode an encoded root token with -otp (\"-\" reads it from stdin).")
    var decode = ""
    @Option(name: .vault("nonce"), help: "Nonce of the attempt, required when the key is an argument.")
    var nonce = ""
    @Argument var arguments: [String] = []

    func run() async throws {
        if arguments.count > 1 {
            throw fail("Too many arguments (expected 0-1, got \(arguments.count))", code: ExitStatus.usage)
        }
        if !otp.isEmpty && !pgpKey.isEmpty {
            throw fail("Error: cannot specify both -otp and -pgp-key", code: ExitStatus.usage)
        }
        try await global.withClient { cli in
            if generateOTP { return try await printOTP(cli) }
            if !decode.isEmpty { return try await decodeToken(cli) }
            if cancel {
                _ = try await cli.call("Error canceling root token generation") {
                    try await cli.client.request("DELETE", "sys/generate-root/attempt")
                }
                return Console.output("Success! Root token generation canceled (if it was started)")
            }
            if initialize {
                var body: [String: JSONValue] = [:]
                if !otp.isEmpty { body["otp"] = .string(otp) }
                if !pgpKey.isEmpty { body["pgp_key"] = .string(pgpKey) }
                let answer = try await cli.call("Error initializing root generation") {
                    try await cli.client.request("PUT", "sys/generate-root/attempt", body: .object(body))
                }
                return Self.printStatus(answer.json?.objectValue ?? [:], cli: cli)
            }
            if status { return Self.printStatus(try await Self.readStatus(cli), cli: cli) }
            try await provide(cli, key: arguments.first?.trimmed ?? "")
        }
    }

    /// Submits one share; with no key argument the share is prompted for and the attempt's own nonce is used.
    private func provide(_ cli: CLIContext, key: String) async throws {
        let current = try await Self.readStatus(cli)
        guard current["started"]?.boolValue == true else {
            Console.error(
                Console.wrap(
                    "No root generation is in progress. Start a root generation by running "
                        + "\"vault operator generate-root -init\"."))
            Console.error(
                Console.wrap(
                    "If starting root generation using the OTP method and generating your own OTP, the length of "
                        + "the OTP string needs to be \(GoFormat.value(current["otp_length"] ?? 0)) characters in "
                        + "length."))
            throw ExitCode(ExitStatus.usage)
        }
        var key = key, nonce = self.nonce
        if key == "-" {
            key = String(decoding: Console.readStandardInput(), as: UTF8.self)
        } else if key.isEmpty {
            nonce = current["nonce"]?.stringValue ?? ""
            Console.output("Operation nonce: \(nonce)")
            key = try Self.promptForKey()
        }
        guard !nonce.isEmpty else {
            throw fail("Missing nonce value: specify it via the -nonce flag", code: ExitStatus.usage)
        }
        let answer = try await cli.call("Error posting unseal key") {
            try await cli.client.request(
                "PUT", "sys/generate-root/update", body: ["key": .string(key.trimmed), "nonce": .string(nonce)])
        }
        Self.printStatus(answer.json?.objectValue ?? [:], cli: cli)
    }

    private func printOTP(_ cli: CLIContext) async throws {
        let length = try await Self.readStatus(cli)["otp_length"]?.intValue ?? 0
        guard length == Int64(RootTokenOTP.length) else {
            throw fail("Error generating OTP: the server expects \(length)-character OTPs; Coffer makes only 28")
        }
        let generated = RootTokenOTP.generate()
        if cli.printer.isTable { return Console.raw(generated) }
        Console.output(JSONValue.object(["otp": .string(generated), "otp_length": .int(length)]).formatted())
    }

    private func decodeToken(_ cli: CLIContext) async throws {
        guard !otp.isEmpty else { throw fail("Missing otp: use -otp to supply it", code: ExitStatus.usage) }
        var encoded = decode
        if encoded == "-" { encoded = String(decoding: Console.readStandardInput(), as: UTF8.self).trimmed }
        let length = try await Self.readStatus(cli)["otp_length"]?.intValue ?? 0
        guard length != 0 else {
            throw fail(
                "Error decoding root token: the server reports the legacy OTP length 0, which Coffer does not decode")
        }
        let token: String
        do {
            token = try RootTokenOTP.decode(encoded, otp: otp)
        } catch {
            throw fail("Error decoding root token: \(error)", code: ExitStatus.usage)
        }
        if cli.printer.isTable { return Console.raw(token) }
        Console.output(JSONValue.object(["token": .string(token)]).formatted())
    }

    static func readStatus(_ cli: CLIContext) async throws -> [String: JSONValue] {
        try await cli.call("Error getting root generation status") {
            try await cli.client.request("GET", "sys/generate-root/attempt")
        }.json?.objectValue ?? [:]
    }

    static func promptForKey() throws -> String {
        do {
            return try SecretPrompt.read("Unseal Key (will be hidden): ")
        } catch {
            throw fail(
                Console.wrap(
                    "An error occurred attempting to ask for the unseal key. The raw error message is shown below, "
                        + "but usually this is because you attempted to pipe a value into the command or you are "
                        + "executing outside of a terminal (tty). If you want to pipe the value, pass \"-\" as the "
                        + "argument to read from stdin. The raw error was: \(error)"),
                code: ExitStatus.usage)
        }
    }

    /// Vault's `printStatus` for generate-root (rows without a header), or the Go status struct as JSON.
    static func printStatus(_ status: [String: JSONValue], cli: CLIContext) {
        guard cli.printer.isTable else {
            let fields: [(String, JSONValue)] = [
                ("nonce", ""), ("started", false), ("progress", 0), ("required", 0), ("complete", false),
                ("encoded_token", ""), ("encoded_root_token", ""), ("pgp_fingerprint", ""), ("otp", ""),
                ("otp_length", 0),
            ]
            return Console.output(GoStruct.render(status, fields: fields))
        }
        func text(_ key: String) -> String { status[key]?.stringValue ?? "" }
        var rows: [[String]] = [
            ["Nonce", text("nonce")],
            ["Started", GoFormat.value(status["started"] ?? false)],
            ["Progress", "\(GoFormat.value(status["progress"] ?? 0))/\(GoFormat.value(status["required"] ?? 0))"],
            ["Complete", GoFormat.value(status["complete"] ?? false)],
        ]
        if !text("pgp_fingerprint").isEmpty { rows.append(["PGP Fingerprint", text("pgp_fingerprint")]) }
        if !text("encoded_token").isEmpty {
            rows.append(["Encoded Token", text("encoded_token")])
        } else if !text("encoded_root_token").isEmpty {
            rows.append(["Encoded Root Token", text("encoded_root_token")])
        }
        if !text("otp").isEmpty {
            Console.error(
                Console.wrap(
                    "A One-Time-Password has been generated for you and is shown in the OTP field. You will need "
                        + "this value to decode the resulting root token, so keep it safe."))
            rows.append(["OTP", text("otp")])
        }
        if let length = status["otp_length"]?.intValue, length != 0 { rows.append(["OTP Length", String(length)]) }
        Console.output(Table.columnize(rows))
    }
}
