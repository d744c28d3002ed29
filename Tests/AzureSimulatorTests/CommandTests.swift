import Foundation
import Synchronization
import Testing

@testable import AzureSimulator

/// `coffer azure-sim` as a user runs it: the built binary in a subprocess.
@Suite struct CommandTests {
    static var binary: String { Example.repositoryRoot.appendingPathComponent(".build/debug/coffer").path }

    /// Collects a pipe's output as it arrives.
    final class Output: Sendable {
        let text = Mutex("")
        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
        var value: String { text.withLock { $0 } }
    }

    static func run(_ arguments: [String]) throws -> (Process, Output, Output) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let outputs = (Output(out), Output(err))
        try process.run()
        return (process, outputs.0, outputs.1)
    }

    @Test func helpDocumentsFixture() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build coffer first")
        let (process, out, _) = try Self.run(["azure-sim", "--help"])
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(out.value.contains("--fixture"))
        #expect(out.value.contains("--port"))
    }

    @Test func printsEnvironmentWithinThreeSecondsAndServesDiscovery() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build coffer first")
        let (process, out, err) = try Self.run(["azure-sim", "-fixture", Example.fixturePath, "--port", "0"])
        defer {
            if process.isRunning { process.terminate() }
        }
        let deadline = ContinuousClock.now + .seconds(3)
        while !out.value.contains("AZURE_SIM_URL="), ContinuousClock.now < deadline, process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = out.value
        try #require(text.contains("AZURE_SIM_URL="), "no environment within 3 s; stderr: \(err.value)")
        func exported(_ name: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }.map {
                String($0.dropFirst("export \(name)=".count))
            }
        }
        #expect(exported("AZURE_ENVIRONMENT") == "AzureStackCloud")
        #expect(exported("AZURE_TENANT_ID") == Example.tenant)
        let host = try #require(exported("AZURE_POD_IDENTITY_AUTHORITY_HOST"))
        #expect(host.hasPrefix("http://127.0.0.1:"))
        let path = try #require(exported("AZURE_ENVIRONMENT_FILEPATH"))
        let environment = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: path)))
        for key in [
            "name", "activeDirectoryEndpoint", "resourceManagerEndpoint", "microsoftGraphEndpoint", "tokenAudience",
        ] {
            #expect(environment[key]?.stringValue?.isEmpty == false, "\(key)")
        }
        let authority = try #require(environment["activeDirectoryEndpoint"]?.stringValue)
        #expect(text.contains(authority))
        let discovery = try await HTTP.get("\(authority)\(Example.tenant)/.well-known/openid-configuration")
        #expect(discovery.status == 200)
        #expect(discovery.json["issuer"] == .string("https://sts.windows.net/\(Example.tenant)/"))
        let jwksURI = try #require(discovery.json["jwks_uri"]?.stringValue)
        let jwks = try await HTTP.get(jwksURI).json

        // The token subcommand asks the running simulator, so the JWT verifies against its JWKS.
        let (tokenProcess, tokenOut, tokenErr) = try Self.run([
            "azure-sim", "token", "--vm", "vm-web", "--identity", "uami-web", "--url", host,
        ])
        tokenProcess.waitUntilExit()
        try await Task.sleep(for: .milliseconds(100))
        #expect(tokenProcess.terminationStatus == 0, "\(tokenErr.value)")
        let jwt = tokenOut.value.trimmingCharacters(in: .whitespacesAndNewlines)
        let claims = try TokenCheck.verify(jwt, jwks: jwks).claims
        #expect(claims["oid"] == .string(Example.webIdentityPrincipal))
        #expect(claims["aud"] == "https://management.azure.com/")

        process.terminate()
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// `token --url` sends only to parsed loopback literals or `localhost`. `127.1` and `0x7f.0.0.1` begin like
    /// loopback and resolve to it, but are not literals (as `127.evil.example` is not); refusing them shows the
    /// address is parsed, not prefix-matched, without sending anything off this machine even if that regresses.
    @Test func tokenURLMustNameALoopbackLiteral() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build coffer first")
        for url in ["http://127.1:9/", "http://0x7f.0.0.1:9/"] {
            let (process, _, err) = try Self.run(["azure-sim", "token", "--vm", "vm-web", "--url", url])
            process.waitUntilExit()
            Thread.sleep(forTimeInterval: 0.1)
            #expect(process.terminationStatus == 1)
            #expect(err.value.contains("The simulator URL must be a loopback http URL: \(url)"), "\(err.value)")
        }
    }

    @Test func missingFixtureIsAUsageError() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build coffer first")
        let (process, _, err) = try Self.run(["azure-sim", "--fixture", "/nonexistent/fixture.json"])
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(process.terminationStatus == 1)
        #expect(err.value.contains("Error starting the Azure simulator"))
    }
}
