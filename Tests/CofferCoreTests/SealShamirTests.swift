import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Foundation
import Testing

/// The Shamir seal through the core: init, unseal with a quorum, wrong sets, duplicates, reset, seal-status.
@Suite struct SealShamirTests {
    static func shamirCore(_ physical: any PhysicalStorage = MemoryPhysical()) -> Core {
        Core(barrier: Barrier(physical: physical), configuration: CoreConfiguration())
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// A core initialised with 5 shares / threshold 3, still sealed, and its shares as hex.
    static func initialised() async throws -> (core: Core, shares: [String], root: String) {
        let core = shamirCore()
        let result = try await core.initializeSeal(SealInitRequest(secretShares: 5, secretThreshold: 3))
        return (core, result.keys.map(hex), result.rootToken)
    }

    static func status(_ error: () async throws -> Void) async -> LogicalError? {
        do {
            try await error()
            return nil
        } catch let error as LogicalError {
            return error
        } catch {
            return LogicalError(status: 0, messages: ["\(error)"])
        }
    }

    @Test func initGivesFiveDistinct33ByteSharesAndStaysSealed() async throws {
        let core = Self.shamirCore()
        let before = core.sealStatus()
        #expect(before.initialized == false && before.sealed && before.type == .shamir)
        #expect(before.threshold == 0 && before.shares == 0 && before.nonce == "" && !before.recoverySeal)
        let result = try await core.initializeSeal(SealInitRequest(secretShares: 5, secretThreshold: 3))
        #expect(result.keys.count == 5)
        #expect(result.keys.allSatisfy { $0.count == 33 })
        #expect(Set(result.keys.map(Self.hex)).count == 5)
        #expect(result.recoveryKeys.isEmpty)
        #expect(result.rootToken.hasPrefix("hvs."))
        let after = core.sealStatus()
        #expect(after.initialized && after.sealed && after.threshold == 3 && after.shares == 5 && after.progress == 0)
        #expect(after.clusterName == nil && after.clusterID == nil)
        let read = await core.handle(CoreRequest(operation: .read, path: "sys/mounts", token: result.rootToken))
        #expect(read.status == 503)
    }

    @Test(arguments: [[0, 1, 2], [4, 2, 0], [3, 1, 4], [2, 4, 3], [1, 0, 3]])
    func anyThreeSharesUnseal(_ subset: [Int]) async throws {
        let (core, shares, root) = try await Self.initialised()
        var status = try await core.submitUnsealKey(shares[subset[0]])
        #expect(status.sealed && status.progress == 1 && !status.nonce.isEmpty)
        let nonce = status.nonce
        status = try await core.submitUnsealKey(shares[subset[1]])
        #expect(status.sealed && status.progress == 2 && status.nonce == nonce)
        status = try await core.submitUnsealKey(shares[subset[2]])
        #expect(!status.sealed && status.progress == 0 && status.nonce == "")
        #expect(status.clusterName != nil && status.clusterID != nil)
        let read = await core.handle(CoreRequest(operation: .read, path: "sys/mounts", token: root))
        #expect(read.status == 200)
    }

    @Test func base64SharesWorkAndTwoDoNotUnseal() async throws {
        let core = Self.shamirCore()
        let result = try await core.initializeSeal(SealInitRequest(secretShares: 3, secretThreshold: 3))
        let encoded = result.keys.map { Data($0).base64EncodedString() }
        _ = try await core.submitUnsealKey(encoded[0])
        let two = try await core.submitUnsealKey(encoded[1])
        #expect(two.sealed && two.progress == 2)
        let three = try await core.submitUnsealKey(encoded[2])
        #expect(!three.sealed)
    }

    @Test func aDuplicateShareIsIgnored() async throws {
        let (core, shares, _) = try await Self.initialised()
        _ = try await core.submitUnsealKey(shares[0])
        let again = try await core.submitUnsealKey(shares[0])
        #expect(again.sealed && again.progress == 1)
        // Same bytes in another encoding are the same share.
        let bytes = try UnsealKeyText.decode(shares[0])
        let asBase64 = try await core.submitUnsealKey(Data(bytes).base64EncodedString())
        #expect(asBase64.progress == 1)
    }

    @Test func aWrongSetFailsWithVaultsErrorAndClearsProgress() async throws {
        let (core, shares, _) = try await Self.initialised()
        let other = try await Self.initialised()
        _ = try await core.submitUnsealKey(shares[0])
        _ = try await core.submitUnsealKey(shares[1])
        let error = await Self.status { _ = try await core.submitUnsealKey(other.shares[2]) }
        #expect(
            error
                == .badRequest(
                    "unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: "
                        + "cipher: message authentication failed"))
        #expect(core.sealStatus().progress == 0 && core.sealStatus().sealed)
        // A right set still works afterwards.
        for share in shares.prefix(3) { _ = try await core.submitUnsealKey(share) }
        #expect(!core.isSealed)
    }

    @Test func twoSharesWithTheSameXCoordinateAreAShamirError() async throws {
        let (core, shares, _) = try await Self.initialised()
        let first = try UnsealKeyText.decode(shares[0])
        var forged = try UnsealKeyText.decode(shares[1])
        forged[32] = first[32]
        _ = try await core.submitUnsealKey(shares[0])
        _ = try await core.submitUnsealKey(Self.hex(forged))
        let error = await Self.status { _ = try await core.submitUnsealKey(shares[2]) }
        #expect(error == .badRequest("invalid key: failed to compute combined key: duplicate part detected"))
        #expect(core.sealStatus().progress == 0)
    }

    @Test func resetClearsTheAttemptAndIsRefusedWhenUnsealed() async throws {
        let (core, shares, _) = try await Self.initialised()
        _ = try await core.submitUnsealKey(shares[0])
        _ = try await core.submitUnsealKey(shares[1])
        let reset = try core.resetUnseal()
        #expect(reset.progress == 0 && reset.nonce == "" && reset.sealed)
        for share in shares.suffix(3) { _ = try await core.submitUnsealKey(share) }
        let error = await Self.status { _ = try core.resetUnseal() }
        #expect(error == .badRequest("vault is unsealed"))
        // Unsealed: another share is a no-op answering the status.
        let noop = try await core.submitUnsealKey(shares[0])
        #expect(!noop.sealed && noop.progress == 0)
    }

    @Test func unsealKeyErrorsInVaultsOrder() async throws {
        let fresh = Self.shamirCore()
        let cases: [(Core?, String, String)] = [
            (nil, "", "'key' must be specified in request body as JSON, or 'reset' set to true"),
            (nil, "zz-not-hex-or-base64!", "'key' must be a valid hex or base64 string"),
            (fresh, String(repeating: "ab", count: 20), "Vault is not initialized"),
            (nil, "abcd", "invalid key: key is shorter than minimum 16 bytes"),
            (nil, String(repeating: "ab", count: 34), "invalid key: key is longer than maximum 33 bytes"),
        ]
        let (core, _, _) = try await Self.initialised()
        for (target, key, message) in cases {
            let error = await Self.status { _ = try await (target ?? core).submitUnsealKey(key) }
            #expect(error == .badRequest(message), "key \(key)")
        }
        #expect(core.sealStatus().progress == 0)
    }

    @Test func initErrorsInVaultsOrder() async throws {
        let cases: [(SealInitRequest, String)] = [
            (
                SealInitRequest(recoveryShares: 0, recoveryThreshold: 2, recoveryPGPKeys: ["k"]),
                "parameters recovery_threshold,recovery_pgp_keys not applicable to seal type shamir"
            ),
            (SealInitRequest(secretShares: 3, secretThreshold: 2, pgpKeys: ["a"]), "incorrect number of PGP keys"),
            (
                SealInitRequest(secretShares: 0, secretThreshold: 0),
                "invalid seal configuration: shares must be at least one"
            ),
            (
                SealInitRequest(secretShares: 2, secretThreshold: 0),
                "invalid seal configuration: threshold must be at least one"
            ),
            (
                SealInitRequest(secretShares: 3, secretThreshold: 1),
                "invalid seal configuration: threshold must be greater than one for multiple shares"
            ),
            (
                SealInitRequest(secretShares: 256, secretThreshold: 3),
                "invalid seal configuration: shares must be less than 256"
            ),
            (
                SealInitRequest(secretShares: 3, secretThreshold: 4),
                "invalid seal configuration: threshold cannot be larger than shares"
            ),
            (
                SealInitRequest(secretShares: -1, secretThreshold: 3),
                "invalid seal configuration: shares must be at least one"
            ),
        ]
        let core = Self.shamirCore()
        for (request, message) in cases {
            let error = await Self.status { _ = try await core.initializeSeal(request) }
            #expect(error == .badRequest(message))
        }
        #expect(core.sealStatus().initialized == false)
        _ = try await core.initializeSeal(SealInitRequest(secretShares: 1, secretThreshold: 1))
        let again = await Self.status {
            _ = try await core.initializeSeal(SealInitRequest(secretShares: 1, secretThreshold: 1))
        }
        #expect(again == .badRequest("Vault is already initialized"))
        // A bad configuration is reported before "already initialized", as Vault checks it first.
        let bad = await Self.status {
            _ = try await core.initializeSeal(SealInitRequest(secretShares: 2, secretThreshold: 3))
        }
        #expect(bad == .badRequest("invalid seal configuration: threshold cannot be larger than shares"))
    }

    @Test func oneShareIsTheRaw32ByteKey() async throws {
        let core = Self.shamirCore()
        let result = try await core.initializeSeal(SealInitRequest(secretShares: 1, secretThreshold: 1))
        #expect(result.keys.count == 1 && result.keys[0].count == 32)
        let status = try await core.submitUnsealKey(Self.hex(result.keys[0]))
        #expect(!status.sealed && status.threshold == 1 && status.shares == 1)
    }

    @Test func sealingForgetsKeysAndDataSurvivesUnseal() async throws {
        let physical = MemoryPhysical()
        let core = Self.shamirCore(physical)
        let result = try await core.initializeSeal(SealInitRequest(secretShares: 3, secretThreshold: 2))
        let shares = result.keys.map(Self.hex)
        for share in shares.prefix(2) { _ = try await core.submitUnsealKey(share) }
        // The cubbyhole is built in and keyed by the token, which survives the restart.
        let write = await core.handle(
            CoreRequest(operation: .update, path: "cubbyhole/a", data: ["v": "kept"], token: result.rootToken))
        #expect(write.status == 204)
        try await core.seal(token: result.rootToken, remoteAddress: "127.0.0.1")
        #expect(core.isSealed)
        #expect(core.barrier.keyStatus().term == 0)
        await #expect(throws: StorageError.sealed) { _ = try await core.barrier.get("core/mounts") }
        // A new process over the same storage: sealed, and the same shares open it.
        let restarted = Self.shamirCore(physical)
        try await restarted.sealManager.load()
        #expect(restarted.sealStatus().initialized && restarted.sealStatus().sealed)
        _ = try await restarted.submitUnsealKey(shares[2])
        let open = try await restarted.submitUnsealKey(shares[0])
        #expect(!open.sealed)
        let read = await restarted.handle(CoreRequest(operation: .read, path: "cubbyhole/a", token: result.rootToken))
        #expect(read.status == 200)
        #expect(read.data["v"] == "kept")
    }

    @Test func sealNeedsSudoOnSysSeal() async throws {
        let (core, shares, root) = try await Self.initialised()
        for share in shares.prefix(3) { _ = try await core.submitUnsealKey(share) }
        let policy = await core.handle(
            CoreRequest(
                operation: .update, path: "sys/policies/acl/sealer",
                data: ["policy": #"path "sys/seal" { capabilities = ["update"] }"#], token: root))
        #expect(policy.status == 204)
        let created = await core.handle(
            CoreRequest(operation: .update, path: "auth/token/create", data: ["policies": "sealer"], token: root))
        let token = try #require(created.clientToken)
        let denied = await Self.status { try await core.seal(token: token, remoteAddress: nil) }
        #expect(denied?.status == 403 && denied?.messages == ["permission denied"])
        let missing = await Self.status { try await core.seal(token: nil, remoteAddress: nil) }
        #expect(missing?.status == 403)
        let invalid = await Self.status { try await core.seal(token: "hvs.nope", remoteAddress: nil) }
        #expect(invalid?.status == 403)
        #expect(!core.isSealed)
        try await core.seal(token: root, remoteAddress: nil)
        #expect(core.isSealed)
        // Already sealed: no checks at all.
        try await core.seal(token: nil, remoteAddress: nil)
        let read = await core.handle(CoreRequest(operation: .read, path: "sys/mounts", token: root))
        #expect(read.status == 503)
    }
}
