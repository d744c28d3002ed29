import CofferFramework
import CofferStorage
import CofferTesting
import Testing

@testable import KVSecrets

@Suite("KV v1 and the mount catalog")
struct PassthroughKVTests {
    @Test("v1 stores the request data as-is and reads it back")
    func readWrite() async throws {
        let kv = KVHarness(version: 1)
        #expect(try await kv.send(.update, "creds", ["user": "app", "n": 1, "deep": ["a": [1, 2]]]) == nil)
        #expect(try await kv.send(.read, "creds")?.data == ["user": "app", "n": 1, "deep": ["a": [1, 2]]])
        #expect(try await kv.send(.update, "creds", ["only": "this"]) == nil)
        #expect(try await kv.send(.read, "creds")?.data == ["only": "this"])
        #expect(await kv.error(.read, "missing") == .notFound)
        #expect(await kv.error(.update, "creds", [:]) == .bad("missing data fields"))
        #expect(await kv.error(.update, "folder/", ["a": 1]) == .bad("cannot write to a path ending in '/'"))
    }

    @Test("v1 lists keys and folders and deletes entries")
    func listDelete() async throws {
        let kv = KVHarness(version: 1)
        for path in ["b", "a/x", "a/y/z"] { _ = try await kv.send(.update, path, ["v": 1]) }
        #expect(try await kv.send(.list, "")?.data == ["keys": ["a/", "b"]])
        #expect(try await kv.send(.list, "a/")?.data == ["keys": ["x", "y/"]])
        #expect(try await kv.send(.list, "a")?.data == ["keys": ["x", "y/"]])
        #expect(try await kv.send(.delete, "b") == nil)
        #expect(await kv.error(.read, "b") == .notFound)
        #expect(try await kv.send(.delete, "never") == nil)
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "a/x")) == true)
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "b")) == false)
    }

    @Test("the catalog maps kv, kv-v2 and generic to the right engine version")
    func catalog() async throws {
        #expect(KVBackend.factories.map(\.type) == ["kv", "kv-v2", "generic"])
        let storage = MemoryStorage()
        func configuration(_ options: [String: String]) -> BackendConfiguration {
            BackendConfiguration(
                mountPath: "secret/", mountAccessor: "kv_1", mountUUID: "uuid", options: options, storage: storage)
        }
        func isVersioned(_ type: String, _ options: [String: String]) async throws -> Bool {
            let factory = try #require(KVBackend.factories.first { $0.type == type })
            return try await factory.make(configuration(options)) is VersionedKVBackend
        }
        #expect(try await isVersioned("kv", ["version": "2"]))
        #expect(try await !isVersioned("kv", [:]))
        #expect(try await !isVersioned("kv", ["version": "1"]))
        #expect(try await isVersioned("kv-v2", [:]))
        #expect(try await !isVersioned("generic", [:]))
        #expect(try await KVBackend.make(configuration(["version": "2"])) is VersionedKVBackend)
        #expect(try await KVBackend.make(configuration([:])) is PassthroughKVBackend)
    }
}
