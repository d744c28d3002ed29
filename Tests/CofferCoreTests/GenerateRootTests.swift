import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Foundation
import Testing

/// Root token generation (`sys/generate-root/*`, docs/seal.md § Root token generation) through the core: the OTP
/// encoding, the attempt's state machine with Vault's texts, and the token it mints.
@Suite struct GenerateRootTests {
    static let otp = "Z9bY3kQw8LmN2pR5sT7vX1cE4gH6"

    @Test func otpEncodingMatchesTheDocumentedExample() throws {
        let encoded = try RootTokenOTP.encode(token: "hvs.AbCdEfGhIjKlMnOpQrStUvWx", otp: Self.otp)
        #expect(encoded == "Mk8Rd3IJEhN9KiomexoZWT46eAYJQzAxYREfTg")
        #expect(try RootTokenOTP.decode(encoded, otp: Self.otp) == "hvs.AbCdEfGhIjKlMnOpQrStUvWx")
    }

    @Test func otpDecodingRefusesBadInput() {
        #expect(throws: RootTokenOTP.Failure.lengthMismatch) {
            try RootTokenOTP.decode("Mk8Rd3IJEhN9KiomexoZWT46eAYJQzAxYREfTg", otp: "short")
        }
        #expect(throws: RootTokenOTP.Failure.invalidEncoding) { try RootTokenOTP.decode("!!!!", otp: Self.otp) }
        #expect(throws: RootTokenOTP.Failure.invalidEncoding) {
            try RootTokenOTP.decode("Mk8Rd3IJEhN9KiomexoZWT46eAYJQzAxYREfTg==", otp: Self.otp)
        }
        #expect(throws: RootTokenOTP.Failure.lengthMismatch) { try RootTokenOTP.encode(token: "hvs.x", otp: Self.otp) }
    }

    @Test func generatedOTPsAre28DistinctBase62Characters() {
        let otps = (0..<50).map { _ in RootTokenOTP.generate() }
        for otp in otps {
            #expect(otp.utf8.count == 28)
            #expect(otp.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
        #expect(Set(otps).count == otps.count)
    }

    @Test func threeOfFiveSharesMintAWorkingRootToken() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        let core = fixture.core
        let started = try await core.startRootGeneration(otp: Self.otp, pgpKey: "")
        #expect(started.started && started.progress == 0 && started.required == 3 && started.otp.isEmpty)
        #expect(started.nonce.count == 36)
        #expect(try core.generateRootStatus() == started)
        // Hex and base64 both accepted, in any order of the shares.
        var status = try await core.updateRootGeneration(key: fixture.hexShares[4], nonce: started.nonce)
        #expect(status.progress == 1 && !status.complete && status.encodedToken.isEmpty)
        status = try await core.updateRootGeneration(key: fixture.base64Shares[1], nonce: started.nonce)
        #expect(status.progress == 2 && !status.complete)
        #expect(try core.generateRootStatus().progress == 2)
        status = try await core.updateRootGeneration(key: fixture.hexShares[2], nonce: started.nonce)
        #expect(status.complete && status.progress == 3 && status.required == 3)
        #expect(status.encodedToken.utf8.count == 38)
        let token = try RootTokenOTP.decode(status.encodedToken, otp: Self.otp)
        #expect(token.hasPrefix("hvs.") && token != fixture.rootToken)
        let lookup = await fixture.request(.read, "auth/token/lookup-self", token: token)
        #expect(lookup.status == 200)
        #expect(lookup.data["policies"] == ["root"])
        #expect(lookup.data["ttl"] == 0)
        #expect(lookup.data["path"] == "auth/token/root")
        // The attempt is over.
        let after = try core.generateRootStatus()
        #expect(!after.started && after.nonce.isEmpty && after.progress == 0)
        await #expect(throws: LogicalError.badRequest("no root generation in progress")) {
            try await core.updateRootGeneration(key: fixture.hexShares[0], nonce: started.nonce)
        }
    }

    @Test func aServerGeneratedOTPIsReturnedOnceAndDecodesTheToken() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        let started = try await fixture.core.startRootGeneration(otp: "", pgpKey: "")
        #expect(started.otp.utf8.count == 28)
        #expect(try fixture.core.generateRootStatus().otp.isEmpty)
        _ = try await fixture.core.updateRootGeneration(key: fixture.hexShares[0], nonce: started.nonce)
        let done = try await fixture.core.updateRootGeneration(key: fixture.hexShares[1], nonce: started.nonce)
        let token = try RootTokenOTP.decode(done.encodedToken, otp: started.otp)
        #expect(await fixture.request(.read, "auth/token/lookup-self", token: token).status == 200)
    }

    @Test func aWrongShareSetKeepsTheAttemptWithProgressZero() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        let stranger = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        // Shares name their x coordinate in their last byte; a stranger's share with the same one as ours would be
        // refused as a duplicate part (about 1 run in 60) instead of failing to decrypt.
        let strangers = stranger.hexShares.filter { $0.suffix(2) != fixture.hexShares[0].suffix(2) }
        let core = fixture.core
        let started = try await core.startRootGeneration(otp: Self.otp, pgpKey: "")
        _ = try await core.updateRootGeneration(key: fixture.hexShares[0], nonce: started.nonce)
        _ = try await core.updateRootGeneration(key: strangers[0], nonce: started.nonce)
        await #expect(
            throws: LogicalError.badRequest(
                "root generation aborted: unable to authenticate: unable to retrieve stored keys: invalid key: "
                    + "failed to decrypt keys from storage: cipher: message authentication failed")
        ) {
            try await core.updateRootGeneration(key: strangers[1], nonce: started.nonce)
        }
        let status = try core.generateRootStatus()
        #expect(status.started && status.nonce == started.nonce && status.progress == 0)
        // The same attempt then completes with a right set.
        for share in fixture.hexShares.prefix(2) {
            _ = try await core.updateRootGeneration(key: share, nonce: started.nonce)
        }
        let done = try await core.updateRootGeneration(key: fixture.hexShares[4], nonce: started.nonce)
        #expect(done.complete)
    }

    @Test func sharesOfMixedLengthsFailToCombine() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 2, threshold: 2)
        let started = try await fixture.core.startRootGeneration(otp: Self.otp, pgpKey: "")
        _ = try await fixture.core.updateRootGeneration(key: fixture.hexShares[0], nonce: started.nonce)
        await #expect(
            throws: LogicalError.badRequest("failed to compute root key: all parts must be the same length")
        ) {
            try await fixture.core.updateRootGeneration(key: String(repeating: "ab", count: 20), nonce: started.nonce)
        }
        #expect(try fixture.core.generateRootStatus().progress == 0)
    }

    @Test func refusalsUseVaultsTexts() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        let core = fixture.core
        await #expect(throws: LogicalError.badRequest("OTP string is wrong length")) {
            try await core.startRootGeneration(otp: "RSMGkAqBH5WnVLrDTbZ+UQ==", pgpKey: "")
        }
        await #expect(throws: LogicalError.self) { try await core.startRootGeneration(otp: "", pgpKey: "bXlrZXk=") }
        #expect(try !core.generateRootStatus().started)
        await #expect(throws: LogicalError.badRequest("no root generation in progress")) {
            try await core.updateRootGeneration(key: fixture.hexShares[0], nonce: "x")
        }
        let started = try await core.startRootGeneration(otp: Self.otp, pgpKey: "")
        await #expect(throws: LogicalError.badRequest("root generation already in progress")) {
            try await core.startRootGeneration(otp: Self.otp, pgpKey: "")
        }
        await #expect(
            throws: LogicalError.badRequest(
                "incorrect nonce supplied; nonce for this root generation operation is \"\(started.nonce)\"")
        ) {
            try await core.updateRootGeneration(key: fixture.hexShares[0], nonce: "other")
        }
        _ = try await core.updateRootGeneration(key: fixture.hexShares[0], nonce: started.nonce)
        await #expect(
            throws: LogicalError.badRequest("given key has already been provided during this generation operation")
        ) {
            try await core.updateRootGeneration(key: fixture.base64Shares[0], nonce: started.nonce)
        }
        #expect(try core.generateRootStatus().progress == 1)
        await #expect(throws: LogicalError.badRequest("'key' must be specified in request body as JSON")) {
            try await core.updateRootGeneration(key: "", nonce: started.nonce)
        }
        await #expect(throws: LogicalError.badRequest("'key' must be a valid hex or base64 string")) {
            try await core.updateRootGeneration(key: "not a key!", nonce: started.nonce)
        }
        await #expect(throws: LogicalError.badRequest("invalid key: key is shorter than minimum 16 bytes")) {
            try await core.updateRootGeneration(key: "abcd", nonce: started.nonce)
        }
        try await core.cancelRootGeneration()
        #expect(try !core.generateRootStatus().started)
        try await core.cancelRootGeneration()  // nothing running: still fine
    }

    @Test func aPGPKeyIsRefusedUnlessAnOTPIsGiven() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 1, threshold: 1)
        do {
            _ = try await fixture.core.startRootGeneration(otp: "", pgpKey: "bXlrZXk=")
            Issue.record("a pgp_key alone was accepted")
        } catch {
            #expect(error.status == 400)
            #expect(error.messages.first?.contains("PGP") == true)
        }
        // An OTP takes precedence, as in Vault; with one share the share is the key itself.
        let started = try await fixture.core.startRootGeneration(otp: Self.otp, pgpKey: "bXlrZXk=")
        let done = try await fixture.core.updateRootGeneration(key: fixture.base64Shares[0], nonce: started.nonce)
        #expect(done.complete && done.required == 1)
    }

    @Test func sealedAndUninitialisedServersRefuse() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        let started = try await fixture.core.startRootGeneration(otp: Self.otp, pgpKey: "")
        _ = try await fixture.core.updateRootGeneration(key: fixture.hexShares[0], nonce: started.nonce)
        try await fixture.core.seal(token: fixture.rootToken, remoteAddress: nil)
        #expect(throws: LogicalError.sealed) { try fixture.core.generateRootStatus() }
        await #expect(throws: LogicalError.sealed) { try await fixture.core.startRootGeneration(otp: "", pgpKey: "") }
        await #expect(throws: LogicalError.sealed) {
            try await fixture.core.updateRootGeneration(key: fixture.hexShares[1], nonce: started.nonce)
        }
        await #expect(throws: LogicalError.sealed) { try await fixture.core.cancelRootGeneration() }
        // Sealing wiped the attempt: after unsealing nothing runs.
        for share in fixture.hexShares.prefix(2) { _ = try await fixture.core.submitUnsealKey(share) }
        #expect(try !fixture.core.generateRootStatus().started)

        let fresh = Core(barrier: .init(physical: MemoryPhysical()), configuration: CoreConfiguration())
        #expect(throws: LogicalError.badRequest("server is not yet initialized")) { try fresh.generateRootStatus() }
        await #expect(throws: LogicalError.badRequest("server is not yet initialized")) {
            try await fresh.startRootGeneration(otp: "", pgpKey: "")
        }
        await #expect(throws: LogicalError.badRequest("Vault is not initialized")) {
            try await fresh.updateRootGeneration(key: fixture.hexShares[0], nonce: "")
        }
    }

    @Test func onTheStaticSealRecoverySharesAuthorise() async throws {
        let fixture = try await KeyShareFixture.staticSeal(shares: 5, threshold: 3)
        let stranger = try await KeyShareFixture.staticSeal(shares: 5, threshold: 3)
        let started = try await fixture.core.startRootGeneration(otp: Self.otp, pgpKey: "")
        #expect(started.required == 3)
        for share in stranger.hexShares.prefix(2) {
            _ = try await fixture.core.updateRootGeneration(key: share, nonce: started.nonce)
        }
        await #expect(
            throws: LogicalError.badRequest(
                "root generation aborted: unable to authenticate: recovery key verification failed: "
                    + "recovery key does not match submitted values")
        ) {
            try await fixture.core.updateRootGeneration(key: stranger.hexShares[2], nonce: started.nonce)
        }
        var done = try await fixture.core.updateRootGeneration(key: fixture.hexShares[0], nonce: started.nonce)
        for share in fixture.hexShares[1...2] {
            done = try await fixture.core.updateRootGeneration(key: share, nonce: started.nonce)
        }
        #expect(done.complete)
        let token = try RootTokenOTP.decode(done.encodedToken, otp: Self.otp)
        #expect(await fixture.request(.read, "auth/token/lookup-self", token: token).data["policies"] == ["root"])
    }

    /// Many tasks submit each of five shares several times at once: exactly one submission completes the attempt
    /// (one token), every other one is refused as a duplicate or as coming after the attempt ended.
    @Test func concurrentSubmissionsCompleteOnceWithThresholdDistinctShares() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        let core = fixture.core
        let started = try await core.startRootGeneration(otp: Self.otp, pgpKey: "")
        let outcomes = await withTaskGroup(of: Result<GenerateRootStatus, LogicalError>.self) { group in
            for round in 0..<8 {
                for share in fixture.hexShares {
                    group.addTask {
                        do throws(LogicalError) {
                            _ = round
                            return .success(try await core.updateRootGeneration(key: share, nonce: started.nonce))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
            }
            var all: [Result<GenerateRootStatus, LogicalError>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let completions = outcomes.compactMap { try? $0.get() }.filter(\.complete)
        #expect(completions.count == 1)
        #expect(completions.first?.progress == 3)
        let progresses = outcomes.compactMap { try? $0.get() }.filter { !$0.complete }.map(\.progress).sorted()
        #expect(progresses == [1, 2])
        let allowed: Set<String> = [
            "given key has already been provided during this generation operation", "no root generation in progress",
        ]
        for case .failure(let error) in outcomes { #expect(allowed.contains(error.messages.first ?? "")) }
        // Two distinct shares, however often submitted, never complete.
        let second = try await core.startRootGeneration(otp: Self.otp, pgpKey: "")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                for share in fixture.hexShares.prefix(2) {
                    group.addTask { _ = try? await core.updateRootGeneration(key: share, nonce: second.nonce) }
                }
            }
        }
        let status = try core.generateRootStatus()
        #expect(status.started && status.progress == 2)
    }
}
