import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// Rekey of the unseal key and of the recovery key (`sys/rekey/*`, `sys/rekey-recovery-key/*`, docs/seal.md
/// § Rekey) through the core: new shares replace the old at once or after verification, with Vault's texts.
@Suite struct RekeyTests {
    /// Submits `shares` (hex) to the running rekey; the last answer.
    private func submit(
        _ shares: [String], to core: Core, nonce: String, recovery: Bool = false
    ) async throws -> RekeyCompletion? {
        var last: RekeyCompletion?
        for share in shares { last = try await core.updateRekey(key: share, nonce: nonce, recovery: recovery) }
        return last
    }

    @Test func fiveOfThreeBecomesThreeOfTwoAndTheOldSharesStopWorking() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        let core = fixture.core
        #expect(await fixture.request(.update, "sys/mounts/secret", ["type": "kv"]).status == 204)
        #expect(await fixture.request(.update, "secret/app", ["password": "kept"]).status == 204)
        let started = try await core.startRekey(RekeyRequest(secretShares: 3, secretThreshold: 2), recovery: false)
        #expect(started.started && started.newShares == 3 && started.newThreshold == 2 && started.required == 3)
        #expect(try await submit([fixture.hexShares[3]], to: core, nonce: started.nonce) == nil)
        #expect(try core.rekeyStatus(recovery: false).progress == 1)
        let done = try #require(
            try await submit([fixture.base64Shares[0], fixture.hexShares[1]], to: core, nonce: started.nonce))
        #expect(done.nonce == started.nonce && done.verificationNonce.isEmpty && done.shares.count == 3)
        #expect(done.shares.allSatisfy { $0.count == 33 })
        #expect(try !core.rekeyStatus(recovery: false).started)
        #expect(core.sealStatus().shares == 3 && core.sealStatus().threshold == 2)

        let old = try await fixture.sealAndUnseal(with: Array(fixture.shares.prefix(3)))
        #expect(
            old.failureMessage
                == "unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: "
                + "message authentication failed")
        _ = try core.resetUnseal()
        for share in done.shares.suffix(2) { _ = try await core.submitUnsealKey(Hex.encode(share)) }
        #expect(!core.isSealed)
        #expect(await fixture.request(.read, "secret/app").data["password"] == "kept")
    }

    @Test func withVerificationNothingChangesUntilTheNewSharesComeBack() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        let core = fixture.core
        let started = try await core.startRekey(
            RekeyRequest(secretShares: 4, secretThreshold: 3, requireVerification: true), recovery: false)
        #expect(started.verificationRequired)
        let done = try #require(
            try await submit(fixture.hexShares.prefix(2).map { $0 }, to: core, nonce: started.nonce))
        #expect(done.shares.count == 4 && !done.verificationNonce.isEmpty)
        #expect(done.json["verification_required"] == true)
        #expect(core.sealStatus().shares == 3)  // not installed yet
        let status = try core.rekeyStatus(recovery: false)
        #expect(status.verificationNonce == done.verificationNonce && status.started)
        await #expect(
            throws: LogicalError.badRequest(
                "rekey operation already finished; verification must be performed; nonce for the verification "
                    + "operation is \"\(done.verificationNonce)\"")
        ) {
            try await core.updateRekey(key: fixture.hexShares[2], nonce: started.nonce, recovery: false)
        }
        var verification = try core.rekeyVerificationStatus(recovery: false)
        #expect(verification.started && verification.nonce == done.verificationNonce && verification.progress == 0)
        #expect(verification.newShares == 4 && verification.newThreshold == 3)
        await #expect(
            throws: LogicalError.badRequest(
                "incorrect nonce supplied; nonce for this verify operation is \"\(done.verificationNonce)\"")
        ) {
            try await core.verifyRekey(key: Hex.encode(done.shares[0]), nonce: "x", recovery: false)
        }
        let newHex = done.shares.map(Hex.encode)
        #expect(try await core.verifyRekey(key: newHex[0], nonce: done.verificationNonce, recovery: false) == nil)
        await #expect(
            throws: LogicalError.badRequest("given key has already been provided during this verify operation")
        ) {
            try await core.verifyRekey(key: newHex[0], nonce: done.verificationNonce, recovery: false)
        }
        // A restart drops the progress and issues a new nonce; the new key stays pending.
        verification = try await core.restartRekeyVerification(recovery: false)
        #expect(verification.progress == 0 && verification.nonce != done.verificationNonce && verification.started)
        let vnonce = verification.nonce
        #expect(try await core.verifyRekey(key: newHex[3], nonce: vnonce, recovery: false) == nil)
        #expect(try await core.verifyRekey(key: newHex[1], nonce: vnonce, recovery: false) == nil)
        #expect(core.sealStatus().shares == 3)
        #expect(try await core.verifyRekey(key: newHex[2], nonce: vnonce, recovery: false) == vnonce)
        #expect(core.sealStatus().shares == 4 && core.sealStatus().threshold == 3)
        #expect(throws: LogicalError.badRequest("no rekey configuration found")) {
            try core.rekeyVerificationStatus(recovery: false)
        }
        let unsealed = try await fixture.sealAndUnseal(with: Array(done.shares.prefix(3)))
        #expect(unsealed.failureMessage == nil)
    }

    @Test func aWrongVerificationSetRotatesTheNonceAndInstallsNothing() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 2, threshold: 2)
        let core = fixture.core
        let started = try await core.startRekey(
            RekeyRequest(secretShares: 2, secretThreshold: 2, requireVerification: true), recovery: false)
        let done = try #require(try await submit(fixture.hexShares, to: core, nonce: started.nonce))
        // The old shares are 33 bytes too, but they give back the old key, not the pending one.
        _ = try await core.verifyRekey(key: fixture.hexShares[0], nonce: done.verificationNonce, recovery: false)
        await #expect(throws: LogicalError.badRequest("rekey verification failed; incorrect key shares supplied")) {
            try await core.verifyRekey(key: fixture.hexShares[1], nonce: done.verificationNonce, recovery: false)
        }
        let verification = try core.rekeyVerificationStatus(recovery: false)
        #expect(verification.nonce != done.verificationNonce && verification.progress == 0 && verification.started)
        #expect(try await fixture.sealAndUnseal(with: fixture.shares).failureMessage == nil)
    }

    @Test func aWrongExistingShareSetIsA500AndKeepsTheRekey() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        let stranger = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        let core = fixture.core
        let started = try await core.startRekey(RekeyRequest(secretShares: 1, secretThreshold: 1), recovery: false)
        _ = try await core.updateRekey(key: stranger.hexShares[0], nonce: started.nonce, recovery: false)
        await #expect(
            throws: LogicalError(
                status: 500,
                messages: [
                    "failed to read root key: invalid key: failed to decrypt keys from storage: cipher: message "
                        + "authentication failed"
                ])
        ) {
            try await core.updateRekey(key: stranger.hexShares[1], nonce: started.nonce, recovery: false)
        }
        let status = try core.rekeyStatus(recovery: false)
        #expect(status.started && status.nonce == started.nonce && status.progress == 0)
        // One new share: the share is the 32-byte key itself.
        let done = try #require(
            try await submit(fixture.hexShares.prefix(2).map { $0 }, to: core, nonce: started.nonce))
        #expect(done.shares.count == 1 && done.shares[0].count == 32)
        #expect(try await fixture.sealAndUnseal(with: done.shares).failureMessage == nil)
    }

    @Test func startRefusalsFollowVaultsOrderAndTexts() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        let core = fixture.core
        let cases: [(RekeyRequest, LogicalError)] = [
            (
                RekeyRequest(secretShares: 3, secretThreshold: 2, backup: true),
                .badRequest("cannot request a backup of the new keys without providing PGP keys for encryption")
            ),
            (
                RekeyRequest(secretShares: 3, secretThreshold: 2, pgpKeys: ["a"]),
                .badRequest("incorrect number of PGP keys for rekey")
            ),
            (
                RekeyRequest(secretShares: 2, secretThreshold: 3),
                .badRequest("provided threshold greater than the total shares")
            ),
            (
                RekeyRequest(secretShares: 0, secretThreshold: 0),
                LogicalError(status: 500, messages: ["invalid rekey seal configuration: shares must be at least one"])
            ),
            (
                RekeyRequest(secretShares: 3, secretThreshold: 1),
                LogicalError(
                    status: 500,
                    messages: [
                        "invalid rekey seal configuration: threshold must be greater than one for multiple shares"
                    ])
            ),
            (
                RekeyRequest(secretShares: 300, secretThreshold: 2),
                LogicalError(status: 500, messages: ["invalid rekey seal configuration: shares must be less than 256"])
            ),
        ]
        for (request, expected) in cases {
            await #expect(throws: expected) { try await core.startRekey(request, recovery: false) }
        }
        do {
            _ = try await core.startRekey(
                RekeyRequest(secretShares: 1, secretThreshold: 1, pgpKeys: ["a"], backup: true), recovery: false)
            Issue.record("PGP keys were accepted")
        } catch {
            #expect(error.status == 400 && error.messages.first?.contains("PGP") == true)
        }
        #expect(try !core.rekeyStatus(recovery: false).started)
        let started = try await core.startRekey(RekeyRequest(secretShares: 3, secretThreshold: 2), recovery: false)
        await #expect(throws: LogicalError.badRequest("rekey already in progress")) {
            try await core.startRekey(RekeyRequest(secretShares: 3, secretThreshold: 2), recovery: false)
        }
        await #expect(
            throws: LogicalError.badRequest(
                "incorrect nonce supplied; nonce for this rekey operation is \"\(started.nonce)\"")
        ) {
            try await core.updateRekey(key: fixture.hexShares[0], nonce: "nope", recovery: false)
        }
        _ = try await core.updateRekey(key: fixture.hexShares[0], nonce: started.nonce, recovery: false)
        await #expect(
            throws: LogicalError.badRequest("given key has already been provided during this generation operation")
        ) {
            try await core.updateRekey(key: fixture.base64Shares[0], nonce: started.nonce, recovery: false)
        }
        await #expect(throws: LogicalError.badRequest("key is shorter than minimum 16 bytes")) {
            try await core.updateRekey(key: "abcd", nonce: started.nonce, recovery: false)
        }
        await #expect(throws: LogicalError.badRequest("no rekey verification in progress")) {
            try await core.verifyRekey(key: fixture.hexShares[1], nonce: "", recovery: false)
        }
        try await core.cancelRekey(recovery: false)
        #expect(try core.rekeyStatus(recovery: false) == RekeyStatus(required: 2))
        await #expect(throws: LogicalError.badRequest("no barrier rekey in progress")) {
            try await core.updateRekey(key: fixture.hexShares[1], nonce: started.nonce, recovery: false)
        }
        await #expect(throws: LogicalError.badRequest("no rekey in progress")) {
            try await core.verifyRekey(key: fixture.hexShares[1], nonce: "", recovery: false)
        }
        await #expect(throws: LogicalError.badRequest("no rekey in progress")) {
            try await core.restartRekeyVerification(recovery: false)
        }
    }

    @Test func recoveryRekeyNeedsASealWithRecoveryKeys() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 1, threshold: 1)
        let refusal = LogicalError.badRequest("recovery rekeying not supported")
        #expect(throws: refusal) { try fixture.core.rekeyStatus(recovery: true) }
        await #expect(throws: refusal) {
            try await fixture.core.startRekey(RekeyRequest(secretShares: 1, secretThreshold: 1), recovery: true)
        }
        await #expect(throws: refusal) { try await fixture.core.updateRekey(key: "", nonce: "", recovery: true) }
        await #expect(throws: refusal) { try await fixture.core.verifyRekey(key: "", nonce: "", recovery: true) }
    }

    @Test func theStaticSealRekeysItsRecoveryKeys() async throws {
        let fixture = try await KeyShareFixture.staticSeal(shares: 5, threshold: 3)
        let core = fixture.core
        // The unseal key is the server's own; only the recovery key can be rekeyed.
        await #expect(throws: LogicalError.self) {
            try await core.startRekey(RekeyRequest(secretShares: 1, secretThreshold: 1), recovery: false)
        }
        #expect(try core.rekeyStatus(recovery: false).required == 3)
        let started = try await core.startRekey(RekeyRequest(secretShares: 3, secretThreshold: 2), recovery: true)
        #expect(started.required == 3 && started.newShares == 3)
        _ = try await core.updateRekey(key: fixture.hexShares[0], nonce: started.nonce, recovery: true)
        await #expect(
            throws: LogicalError.badRequest("given key has already been provided during this rekey operation")
        ) {
            try await core.updateRekey(key: fixture.hexShares[0], nonce: started.nonce, recovery: true)
        }
        let done = try #require(
            try await submit(Array(fixture.hexShares[1...2]), to: core, nonce: started.nonce, recovery: true))
        #expect(done.shares.count == 3)
        #expect(core.sealStatus().shares == 3 && core.sealStatus().threshold == 2)
        // Old recovery shares no longer authorise a root generation; two new ones do.
        let otp = RootTokenOTP.generate()
        let attempt = try await core.startRootGeneration(otp: otp, pgpKey: "")
        _ = try await core.updateRootGeneration(key: fixture.hexShares[0], nonce: attempt.nonce)
        await #expect(throws: LogicalError.self) {
            try await core.updateRootGeneration(key: fixture.hexShares[1], nonce: attempt.nonce)
        }
        _ = try await core.updateRootGeneration(key: Hex.encode(done.shares[2]), nonce: attempt.nonce)
        let generated = try await core.updateRootGeneration(key: Hex.encode(done.shares[0]), nonce: attempt.nonce)
        #expect(generated.complete)
    }

    @Test func backupsAreNeverStored() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 1, threshold: 1)
        for path in ["sys/rekey/backup", "sys/rekey/recovery-key-backup"] {
            let read = await fixture.request(.read, path)
            #expect(read.status == 400)
            #expect(read.errors == ["no backed-up keys found"])
            #expect(await fixture.request(.delete, path).status == 204)
            #expect(await fixture.request(.read, path, token: "").status == 403)
        }
    }

    @Test func sealingWipesARunningRekey() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        let started = try await fixture.core.startRekey(
            RekeyRequest(secretShares: 2, secretThreshold: 2), recovery: false)
        _ = try await fixture.core.updateRekey(key: fixture.hexShares[0], nonce: started.nonce, recovery: false)
        #expect(try await fixture.sealAndUnseal(with: Array(fixture.shares.prefix(2))).failureMessage == nil)
        #expect(try !fixture.core.rekeyStatus(recovery: false).started)
    }

    @Test func concurrentUpdatesInstallOneNewKey() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        let core = fixture.core
        let started = try await core.startRekey(RekeyRequest(secretShares: 2, secretThreshold: 2), recovery: false)
        let completions = await withTaskGroup(of: RekeyCompletion?.self) { group in
            for _ in 0..<6 {
                for share in fixture.hexShares {
                    group.addTask { try? await core.updateRekey(key: share, nonce: started.nonce, recovery: false) }
                }
            }
            var done: [RekeyCompletion] = []
            for await completion in group { if let completion { done.append(completion) } }
            return done
        }
        #expect(completions.count == 1)
        let done = try #require(completions.first)
        #expect(try await fixture.sealAndUnseal(with: done.shares).failureMessage == nil)
    }
}

extension Result where Failure == LogicalError {
    /// The first error message, or nil on success.
    var failureMessage: String? {
        if case .failure(let error) = self { return error.messages.first ?? "" }
        return nil
    }
}
