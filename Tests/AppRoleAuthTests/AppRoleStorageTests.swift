import CofferFramework
import CofferStorage
import CofferTesting
import Foundation
import Testing

@testable import AppRoleAuth

/// What the mount stores, read below the barrier's encryption: secret ids only as salted HMACs.
@Suite struct AppRoleStorageTests {
    func send(
        _ backend: FrameworkBackend, _ storage: MemoryStorage, _ operation: LogicalOperation, _ path: String,
        _ data: [String: JSONValue] = [:]
    ) async throws -> LogicalResponse? {
        try await backend.handle(
            LogicalRequest(operation: operation, path: path, data: data, remoteAddress: "127.0.0.1", storage: storage))
    }

    @Test func storedBytesNeverContainTheSecretID() async throws {
        let storage = MemoryStorage()
        let backend = AppRoleBackend(now: { Date().timeIntervalSince1970 }).backend
        try await backend.initialize(storage: storage)
        _ = try await send(backend, storage, .update, "role/ci", [:])
        let generated = try await send(backend, storage, .update, "role/ci/secret-id")
        let secretID = try #require(generated?.data?["secret_id"]?.stringValue)
        _ = try await send(backend, storage, .update, "role/ci/custom-secret-id", ["secret_id": "chosen-secret-value"])
        var everything: [UInt8] = []
        let keys = try await storage.listRecursive(prefix: "")
        #expect(keys.contains { $0.hasPrefix("secret_id/ci/") })
        for key in keys {
            everything += Array(key.utf8)
            everything += try await storage.get(key) ?? []
        }
        let text = String(decoding: everything, as: UTF8.self)
        #expect(!text.isEmpty)
        #expect(!text.contains(secretID))
        #expect(!text.contains("chosen-secret-value"))
        let salt = try await AppRoleSalt.loadOrCreate(storage)
        #expect(try await storage.get("secret_id/ci/" + salt.hmac(secretID)) != nil)
    }
}
