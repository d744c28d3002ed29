import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer operator generate-root` end to end against a Shamir-sealed `coffer server -config=…`: a quorum makes a
/// root token the CLI decodes and that works.
@Suite(.serialized) struct OperatorGenerateRootTests {
    @Test func aQuorumGeneratesARootTokenThatDecodesAndWorks() async throws {
        try await OperatorTestServer.with { server in
            let (keys, _) = try await server.initializeAndUnseal()
            let otp = try await server.cli(["operator", "generate-root", "-generate-otp"])
            #expect(otp.status == 0 && otp.stdout.count == 28, "\(otp.stderr)")

            let started = try await server.cli(["operator", "generate-root", "-init", "-otp=\(otp.stdout)"])
            #expect(started.status == 0, "\(started.stderr)")
            let nonce = tableValue(started.stdout, "Nonce") ?? ""
            #expect(nonce.count == 36 && tableValue(started.stdout, "Started") == "true")
            #expect(tableValue(started.stdout, "Progress") == "0/3" && tableValue(started.stdout, "OTP Length") == "28")
            #expect(tableValue(started.stdout, "OTP") == nil, "the OTP was ours, so the server does not show one")

            let status = try await server.cli(["operator", "generate-root", "-status"])
            #expect(tableValue(status.stdout, "Nonce") == nonce && tableValue(status.stdout, "Complete") == "false")
            let noNonce = try await server.cli(["operator", "generate-root", keys[0]])
            #expect(noNonce.status == 1 && noNonce.stderr == "Missing nonce value: specify it via the -nonce flag\n")

            var last = started
            for key in keys.prefix(2) {
                last = try await server.cli(["operator", "generate-root", "-nonce=\(nonce)", key])
                #expect(last.status == 0, "\(last.stderr)")
            }
            // The last share is prompted for: the attempt's own nonce is used and shown.
            last = try await server.cli(["operator", "generate-root"], stdin: keys[2] + "\n")
            #expect(last.status == 0, "\(last.stderr)")
            #expect(last.stdout.hasPrefix("Operation nonce: \(nonce)\nUnseal Key (will be hidden): \n"))
            #expect(tableValue(last.stdout, "Complete") == "true" && tableValue(last.stdout, "Progress") == "3/3")
            let encoded = tableValue(last.stdout, "Encoded Token") ?? ""
            #expect(encoded.count == 38)

            let decoded = try await server.cli([
                "operator", "generate-root", "-decode=\(encoded)", "-otp=\(otp.stdout)",
            ])
            #expect(decoded.status == 0 && decoded.stdout.hasPrefix("hvs.") && decoded.stdout.count == 28)
            let lookup = try await server.cli(["token", "lookup", "-format=json"], token: decoded.stdout)
            #expect(lookup.status == 0, "\(lookup.stderr)")
            #expect(try lookup.json()["data"]?["policies"] == ["root"])
        }
    }

    @Test func aServerChosenOTPIsShownOnceAndCancelEndsTheAttempt() async throws {
        try await OperatorTestServer.with { server in
            _ = try await server.initializeAndUnseal()
            let started = try await server.cli(["operator", "generate-root", "-init"])
            #expect(started.status == 0, "\(started.stderr)")
            #expect((tableValue(started.stdout, "OTP") ?? "").count == 28)
            #expect(started.stderr.contains("A One-Time-Password has been generated for you"))
            let twice = try await server.cli(["operator", "generate-root", "-init"])
            #expect(twice.status == 2 && twice.stderr.hasPrefix("Error initializing root generation: "))

            let canceled = try await server.cli(["operator", "generate-root", "-cancel"])
            #expect(canceled.stdout == "Success! Root token generation canceled (if it was started)\n")
            let status = try await server.cli(["operator", "generate-root", "-status", "-format=json"])
            #expect(try status.json()["started"] == false)
            let noAttempt = try await server.cli(["operator", "generate-root", "-nonce=x", "key"])
            #expect(noAttempt.status == 1 && noAttempt.stderr.hasPrefix("No root generation is in progress."))
            let badDecode = try await server.cli(["operator", "generate-root", "-decode=AAAA"])
            #expect(badDecode.status == 1 && badDecode.stderr == "Missing otp: use -otp to supply it\n")
        }
    }
}
