import Foundation
import NIOHTTP1
import Testing

@testable import AzureSimulator

/// The simulator stays on loopback: addresses are parsed, not prefix-matched, and its unauthenticated control API
/// answers only requests whose `Host` names loopback, so a DNS-rebound page cannot drive it from a browser.
@Suite struct LoopbackTests {
    @Test func loopbackIsParsedNotPrefixMatched() {
        for host in ["127.0.0.1", "127.255.255.254", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1"] {
            #expect(SimulatorCore.isLoopback(host), "\(host)")
        }
        for host in [
            "127.evil.example", "127.0.0.1.evil.example", "128.0.0.1", "0.0.0.0", "::", "::2", "::ffff:10.0.0.1",
            "1127.0.0.1", "127.0.0.256", "localhost.evil.example", "", "[::1", "127.0.0.01",
        ] {
            #expect(!SimulatorCore.isLoopback(host), "\(host)")
        }
    }

    @Test func clientsGetTheSameAnswerThroughThePublicHelper() {
        #expect(AzureSimulator.isLoopbackHost("127.0.0.1"))
        #expect(AzureSimulator.isLoopbackHost("LocalHost"))
        #expect(AzureSimulator.isLoopbackHost("[::1]"))
        #expect(!AzureSimulator.isLoopbackHost("127.evil.example"))
        #expect(!AzureSimulator.isLoopbackHost("localhost.evil.example"))
    }

    @Test func theSimulatorRefusesToBindAHostNameThatOnlyLooksLikeLoopback() async throws {
        let simulator = try await AzureSimulator.make(fixture: try Example.fixture())
        await #expect(throws: SimulatorError.self) { try await simulator.start(host: "127.evil.example") }
        await #expect(throws: SimulatorError.self) { try await simulator.start(host: "0.0.0.0") }
    }

    @Test func theControlAPIAcceptsOnlyLoopbackHostHeaders() {
        for authority in [
            "127.0.0.1", "127.0.0.1:8080", "127.9.9.9:1", "localhost", "LOCALHOST:41000", "[::1]", "[::1]:8080",
        ] {
            #expect(SimulatorCore.isLoopbackAuthority(authority), "\(authority)")
        }
        for authority in [
            "evil.example", "evil.example:8080", "127.evil.example", "127.0.0.1.nip.io:80", "localhost.evil.example",
            "::1", "[::1]x", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:80:80", "127.0.0.1:8o", "10.0.0.1:80", "",
        ] {
            #expect(!SimulatorCore.isLoopbackAuthority(authority), "\(authority)")
        }
    }

    @Test func rebindingRequestsToTheControlAPIAreRefusedOverHTTP() async throws {
        try await Example.withSimulator { sim in
            let port = try #require(sim.port)
            let control = "\(sim.baseURL)_simulator/"
            let rebound = try await HTTP.postJSON(
                control + "tokens/managed-identity", ["vm": "vm-web"], headers: [("Host", "evil.example:\(port)")])
            #expect(rebound.status == 403)
            #expect(rebound.json["access_token"] == nil)
            let lookalike = try await HTTP.send(
                .DELETE, control + "faults", headers: [("Host", "127.evil.example:\(port)")])
            #expect(lookalike.status == 403)
            let twoHosts = try await HTTP.get(
                control + "health", headers: [("Host", "127.0.0.1:\(port)"), ("Host", "evil.example")])
            #expect(twoHosts.status == 400)
            // Loopback names are served.
            #expect(try await HTTP.get(control + "health").status == 200)
            #expect(try await HTTP.get(control + "health", headers: [("Host", "localhost:\(port)")]).status == 200)
            // Only the control API checks: Azure's own endpoints keep answering whatever host the client used.
            let discovery = try await HTTP.get(
                "\(sim.baseURL)\(Example.tenant)/.well-known/openid-configuration",
                headers: [("Host", "login.microsoftonline.com")])
            #expect(discovery.status == 200)
        }
    }
}
