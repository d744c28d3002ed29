import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// An Azure login under a file audit device: the JWT, the client secret and the issued token appear only as
/// HMACs, and `sys/audit-hash` of the JWT finds the logged value.
@Suite struct AzureAuditTests {
    @Test func azureLoginIsAuditedWithTheJWTHashed() async throws {
        try await withAzureLab { lab in
            try await TemporaryDirectory.with { directory in
                let file = directory.appendingPathComponent("audit.log")
                try await lab.expect(
                    .update, "sys/audit/file", ["type": "file", "options": ["file_path": .string(file.path)]],
                    status: 204)
                try await lab.configure()
                try await AzureSeedFlowTests.prepareSecret(lab)
                try await lab.role("dev-role", AzureSeedFlowTests.devRole)
                let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
                let login = await lab.login(role: "dev-role", jwt: jwt, vm: "vm-web")
                try #require(login.status == 200, "\(login.errors ?? [])")
                let token = try #require(login.clientToken)
                let read = await lab.request(.read, "secret/data/creds", token: token)
                #expect(read.status == 200)

                let text = try String(contentsOf: file, encoding: .utf8)
                for secret in [jwt, token, Sim.secret, "hunter2", lab.harness.rootToken] {
                    #expect(!text.contains(secret))
                }
                let hash = { (input: String) async -> String in
                    await lab.request(.update, "sys/audit-hash/file", ["input": .string(input)])
                        .data["hash"]?.stringValue ?? "missing"
                }
                let entries = try text.split(separator: "\n").map {
                    try #require(try JSONParser.parse(Array($0.utf8)).objectValue)
                }
                let login_ = entries.filter { $0["request"]?["path"] == "auth/azure/login" }
                #expect(login_.map { $0["type"] } == ["request", "response"])
                let request = try #require(login_.first?["request"]?.objectValue)
                #expect(request["data"]?["jwt"] == .string(await hash(jwt)))
                #expect(request["data"]?["role"] == .string(await hash("dev-role")))
                #expect(request["mount_type"] == "azure")
                #expect(request["mount_class"] == "auth")
                #expect(login_.first?["auth"]?["policy_results"]?["allowed"] == .bool(true))
                let issued = try #require(login_.last?["response"]?["auth"]?.objectValue)
                #expect(issued["client_token"] == .string(await hash(token)))
                #expect(issued["token_type"] == "service")
                #expect((issued["display_name"]?.stringValue ?? "").hasPrefix("azure-"))
                let config = try #require(entries.first { $0["request"]?["path"] == "auth/azure/config" })
                #expect(config["request"]?["data"]?["client_secret"] == .string(await hash(Sim.secret)))
            }
        }
    }
}
