import CofferCore
import CofferFramework
import CofferSQLite
import CofferStorage
import Crypto
import Foundation
import KVSecrets
import Testing

@Suite struct PersistenceTests {
    func openCore(_ path: String, key: SymmetricKeyBox) async throws -> (Core, SQLitePhysical) {
        let physical = try await SQLitePhysical.open(path: path, logger: .init(label: "test"))
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories
        let core = Core(barrier: Barrier(physical: physical), configuration: configuration)
        return (core, physical)
    }

    @Test func tokensMountsPoliciesAndSecretsSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("coffer.db").path
        let key = SymmetricKeyBox()

        let (first, firstPhysical) = try await openCore(path, key: key)
        let root = try await first.initialize(sealKey: key.key)
        func send(
            _ core: Core, _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:],
            token: String
        ) async -> CoreResponse {
            await core.handle(CoreRequest(operation: operation, path: path, data: data, token: token))
        }
        #expect(await send(first, .update, "sys/mounts/secret", ["type": "kv-v2"], token: root).status == 204)
        #expect(
            await send(first, .update, "secret/data/creds", ["data": ["password": "s3cr3t"]], token: root).status == 200
        )
        #expect(
            await send(
                first, .update, "sys/policy/app", ["policy": #"path "secret/*" { capabilities = ["read"] }"#],
                token: root
            ).status == 204)
        let created = await send(first, .update, "auth/token/create", ["policies": "app", "ttl": "1h"], token: root)
        let token = try #require(created.envelope?.auth?["client_token"]?.stringValue)
        let shortLived = await send(first, .update, "auth/token/create", ["policies": "app", "ttl": "2s"], token: root)
        let short = try #require(shortLived.envelope?.auth?["client_token"]?.stringValue)
        await first.seal()
        try await firstPhysical.close()

        let (second, secondPhysical) = try await openCore(path, key: key)
        #expect(try await second.isInitialized())
        try await second.unseal(sealKey: key.key)
        let read = await send(second, .read, "secret/data/creds", token: token)
        #expect(read.status == 200)
        #expect(read.envelope?.data?["data"]?.objectValue?["password"] == "s3cr3t")
        #expect(await send(second, .read, "sys/mounts", token: token).status == 403)
        // The restored expiration manager revokes the short-lived token on time.
        try await Task.sleep(nanoseconds: 3_000_000_000)
        #expect(await send(second, .read, "auth/token/lookup-self", token: short).status == 403)
        await second.seal()
        try await secondPhysical.close()

        let bytes =
            try Data(contentsOf: URL(fileURLWithPath: path))
            + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
        #expect(bytes.range(of: Data("s3cr3t".utf8)) == nil)
        #expect(bytes.range(of: Data(token.utf8)) == nil)
        #expect(bytes.range(of: Data(root.utf8)) == nil)
    }

    @Test func wrongSealKeyCannotUnseal() async throws {
        let physical = MemoryPhysical()
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories
        let core = Core(barrier: Barrier(physical: physical), configuration: configuration)
        _ = try await core.initialize(sealKey: SymmetricKeyBox().key)
        await core.seal()
        let response = await core.handle(CoreRequest(operation: .read, path: "sys/mounts", token: "x"))
        #expect(response.status == 503)
        #expect(response.errors == ["Vault is sealed"])
        await #expect(throws: (any Error).self) { try await core.unseal(sealKey: SymmetricKeyBox().key) }
        #expect(core.isSealed)
    }
}

/// A fresh 256-bit key.
struct SymmetricKeyBox: Sendable {
    let key = SymmetricKey(size: .bits256)
}
