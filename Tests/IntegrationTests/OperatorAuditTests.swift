import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer audit enable|list|disable`, `coffer operator step-down` and the CLI's TLS flags and variables, end to end
/// against real servers.
@Suite(.serialized) struct OperatorAuditTests {
    @Test func auditEnableListDisable() async throws {
        try await DevServer.with { server in
            let none = try await server.cli("audit", "list")
            #expect(none.status == 2 && none.stdout == "No audit devices are enabled.\n", "\(none.stderr)")

            let logPath = server.home + "/audit.log"
            let enabled = try await server.cli(
                "audit", "enable", "-description=all requests", "file", "file_path=\(logPath)")
            #expect(enabled.status == 0, "\(enabled.stderr)")
            #expect(enabled.stdout == "Success! Enabled the file audit device at: file/\n")
            let missing = try await server.cli("audit", "enable")
            #expect(missing.status == 1)
            #expect(
                missing.stderr
                    == "Error enabling audit device: audit type missing. Valid types include 'file', 'socket' and 'syslog'.\n"
            )

            let list = try await server.cli("audit", "list")
            #expect(list.status == 0, "\(list.stderr)")
            #expect(
                list.stdout
                    == "Path     Type    Description\n----     ----    -----------\nfile/    file    all requests\n")
            let detailed = try await server.cli("audit", "list", "-detailed")
            #expect(detailed.stdout.contains("Replication    Options"))
            #expect(detailed.stdout.contains("replicated     file_path=\(logPath)"))
            let json = try await server.cli("audit", "list", "-format=json").json()
            #expect(json["file/"]?["type"] == "file" && json["file/"]?["options"]?["file_path"] == .string(logPath))

            _ = try await server.cli("kv", "put", "secret/audited", "password=s3cr3t")
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            #expect(log.contains("secret/data/audited") && !log.contains("s3cr3t"))

            let disabled = try await server.cli("audit", "disable", "file")
            #expect(disabled.stdout == "Success! Disabled audit device (if it was enabled) at: file/\n")
            #expect(try await server.cli("audit", "list").status == 2)
        }
    }

    /// A server without HA answers Vault's 204 to a sudo token.
    @Test func stepDownAgainstAServerWithoutHA() async throws {
        try await DevServer.with { server in
            let stepped = try await server.cli("operator", "step-down")
            #expect(
                stepped.status == 0 && stepped.stdout == "Success! Stepped down: \(server.address)\n",
                "\(stepped.stderr)")
        }
    }

    /// `PUT sys/step-down` on the wire; Vault's 204 prints the success line, an error answer exits 2 with it.
    @Test func stepDownSendsThePutAndReportsTheAnswer() async throws {
        let accepting = try RecordingHTTPServer(status: "204 No Content", body: "")
        defer { accepting.stop() }
        let stepped = try await coffer(["operator", "step-down"], address: accepting.address)
        #expect(stepped.status == 0 && stepped.stdout == "Success! Stepped down: \(accepting.address)\n")
        #expect(accepting.requests.first?.hasPrefix("PUT /v1/sys/step-down HTTP/1.1\r\n") == true)
        #expect(accepting.requests.first?.lowercased().contains("x-vault-token: t0ken\r\n") == true)

        let refusing = try RecordingHTTPServer(status: "403 Forbidden", body: #"{"errors":["permission denied"]}"#)
        defer { refusing.stop() }
        let denied = try await coffer(["operator", "step-down"], address: refusing.address)
        #expect(denied.status == 2 && denied.stdout.isEmpty)
        #expect(denied.stderr.hasPrefix("Error stepping down: Error making API request."))
        #expect(denied.stderr.contains("Code: 403. Errors:\n\n* permission denied"))
    }

    /// `coffer <arguments>` against `address` with the token `t0ken`.
    private func coffer(_ arguments: [String], address: String) async throws -> DevServer.Result {
        try await TemporaryDirectory.with(prefix: "coffer-step-down") { home in
            try await ProgramRunner.run(
                try DevServer.binaryPath, arguments,
                environment: ["HOME": home.path, "VAULT_ADDR": address, "VAULT_TOKEN": "t0ken"], scratch: home.path)
        }
    }

    @Test func cliTrustsTheServerThroughCACertOrTheFlags() async throws {
        try await OperatorTestServer.with(tls: true) { server in
            let viaVariable = try await server.cli(["operator", "init", "-status"])
            #expect(
                viaVariable.status == 2 && viaVariable.stdout == "Vault is not initialized\n", "\(viaVariable.stderr)")

            let caFile = server.caFile ?? ""
            let environment = ["HOME": server.directory, "VAULT_ADDR": server.address]
            let untrusted = try await ProgramRunner.run(
                try DevServer.binaryPath, ["operator", "init", "-status"], environment: environment,
                scratch: server.directory)
            #expect(untrusted.status == 1 && untrusted.stderr.hasPrefix("Error checking init status: "))
            let viaFlag = try await ProgramRunner.run(
                try DevServer.binaryPath, ["operator", "init", "-status", "-ca-cert=\(caFile)"],
                environment: environment, scratch: server.directory)
            #expect(viaFlag.status == 2 && viaFlag.stdout == "Vault is not initialized\n", "\(viaFlag.stderr)")
            let skipping = try await ProgramRunner.run(
                try DevServer.binaryPath, ["operator", "init", "-status", "-tls-skip-verify"],
                environment: environment, scratch: server.directory)
            #expect(skipping.status == 2, "\(skipping.stderr)")
            let badBool = try await ProgramRunner.run(
                try DevServer.binaryPath, ["operator", "init", "-status"],
                environment: environment.merging(["VAULT_SKIP_VERIFY": "maybe"]) { $1 }, scratch: server.directory)
            #expect(badBool.status == 2 && badBool.stderr == "could not parse VAULT_SKIP_VERIFY\n")
        }
    }

    /// A listener that requires client certificates: the CLI without one is refused at the handshake; with
    /// `-client-cert`/`-client-key` (and the CA from `-ca-path`, or the variables) it gets through.
    @Test func clientCertificateFlagsAndVariablesAgainstARequiringListener() async throws {
        try await OperatorTestServer.with(tls: true, requireClientCertificate: true) { server in
            let pki = try #require(server.pki)
            let withoutCertificate = try await server.cli(["operator", "init", "-status"])
            #expect(
                withoutCertificate.status == 1 && withoutCertificate.stderr.hasPrefix("Error checking init status: "))

            let caDirectory = server.directory + "/ca-dir"
            try FileManager.default.createDirectory(atPath: caDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: pki.caFile, toPath: caDirectory + "/ca.pem")
            let environment = ["HOME": server.directory, "VAULT_ADDR": server.address]
            let viaFlags = try await ProgramRunner.run(
                try DevServer.binaryPath,
                [
                    "operator", "init", "-status", "-ca-path=\(caDirectory)",
                    "-client-cert=\(pki.client.certificateFile)", "-client-key=\(pki.client.keyFile)",
                    "-tls-server-name=localhost",
                ], environment: environment, scratch: server.directory)
            #expect(viaFlags.status == 2 && viaFlags.stdout == "Vault is not initialized\n", "\(viaFlags.stderr)")
            let viaVariables = try await ProgramRunner.run(
                try DevServer.binaryPath, ["operator", "init", "-status"],
                environment: environment.merging([
                    "VAULT_CACERT": pki.caFile, "VAULT_CLIENT_CERT": pki.client.certificateFile,
                    "VAULT_CLIENT_KEY": pki.client.keyFile,
                ]) { $1 }, scratch: server.directory)
            #expect(viaVariables.status == 2 && viaVariables.stdout == "Vault is not initialized\n")
            let halfPair = try await ProgramRunner.run(
                try DevServer.binaryPath,
                [
                    "operator", "init", "-status", "-ca-cert=\(pki.caFile)",
                    "-client-cert=\(pki.client.certificateFile)",
                ],
                environment: environment, scratch: server.directory)
            #expect(halfPair.status == 2 && halfPair.stderr == "both client cert and client key must be provided\n")
        }
    }
}
