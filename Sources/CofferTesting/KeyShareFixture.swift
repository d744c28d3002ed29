import CofferCore
import CofferFramework
import CofferStorage
import Crypto
import Foundation
import KVSecrets

/// A core on in-memory storage initialised through `sys/init`'s code path — a Shamir seal split into
/// `shares`/`threshold` and unsealed with the first `threshold` shares, or a static seal with recovery shares —
/// for the generate-root and rekey tests, which need the shares an operator would hold.
///
/// ```swift
/// let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
/// let status = try await fixture.core.updateRootGeneration(key: fixture.hexShares[0], nonce: nonce)
/// ```
public struct KeyShareFixture: Sendable {
    public let core: Core
    public let rootToken: String
    /// The shares operators hold: unseal shares on a Shamir seal, recovery shares on the static seal.
    public let shares: [[UInt8]]

    public var hexShares: [String] { shares.map(Hex.encode) }
    public var base64Shares: [String] { shares.map { Data($0).base64EncodedString() } }

    /// A Shamir seal, unsealed, with KV in its catalog.
    public static func shamir(shares: Int, threshold: Int) async throws -> KeyShareFixture {
        let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration(staticKey: nil))
        let result = try await core.initializeSeal(SealInitRequest(secretShares: shares, secretThreshold: threshold))
        for share in result.keys.prefix(threshold) { _ = try await core.submitUnsealKey(Hex.encode(share)) }
        guard !core.isSealed else { throw FixtureError.stillSealed }
        return KeyShareFixture(core: core, rootToken: result.rootToken, shares: result.keys)
    }

    /// A static (auto-unseal) seal with `shares`/`threshold` recovery shares; unsealed by init.
    public static func staticSeal(shares: Int, threshold: Int) async throws -> KeyShareFixture {
        let core = Core(
            barrier: Barrier(physical: MemoryPhysical()),
            configuration: configuration(staticKey: SymmetricKey(size: .bits256)))
        let result = try await core.initializeSeal(
            SealInitRequest(recoveryShares: shares, recoveryThreshold: threshold))
        guard !core.isSealed else {
            return KeyShareFixture(core: core, rootToken: result.rootToken, shares: result.recoveryKeys)
        }
        _ = try await core.autoUnseal()
        return KeyShareFixture(core: core, rootToken: result.rootToken, shares: result.recoveryKeys)
    }

    /// Sends one request through `Core.handle` as `token` (the fixture's root token unless given).
    @discardableResult
    public func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil
    ) async -> CoreResponse {
        await core.handle(
            CoreRequest(
                id: UUID().uuidString, operation: operation, path: path, data: data, token: token ?? rootToken,
                remoteAddress: "127.0.0.1"))
    }

    /// Seals, then submits `shares` (hex) to unseal; returns whether the core ended up unsealed, or the error text.
    public func sealAndUnseal(with shares: [[UInt8]]) async throws -> Result<Void, LogicalError> {
        try await core.seal(token: rootToken, remoteAddress: "127.0.0.1")
        do throws(LogicalError) {
            for share in shares { _ = try await core.submitUnsealKey(Hex.encode(share)) }
        } catch {
            return .failure(error)
        }
        return core.isSealed ? .failure(LogicalError(status: 0, messages: ["still sealed"])) : .success(())
    }

    enum FixtureError: Error { case stillSealed }

    private static func configuration(staticKey: SymmetricKey?) -> CoreConfiguration {
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories
        configuration.staticSealKey = staticKey
        return configuration
    }
}
