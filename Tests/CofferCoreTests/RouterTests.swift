import CofferCore
import CofferFramework
import CofferStorage
import KVSecrets
import Testing

/// The router over a table of its own: longest prefix wins, auth mounts route under `auth/`, a mount path
/// without its slash routes to the mount, and lookups by accessor see the same table.
@Suite struct RouterTests {
    private func router(_ mounts: [(path: String, kind: MountEntry.Kind)]) async throws -> Router {
        let barrier = Barrier(physical: MemoryPhysical())
        var entries: [RouteEntry] = []
        for (index, mount) in mounts.enumerated() {
            let storage = StorageView(barrier, prefix: "logical/m\(index)/")
            let backend = try await KVBackend.make(
                BackendConfiguration(
                    mountPath: mount.path, mountAccessor: "kv_\(index)", mountUUID: "m\(index)", options: [:],
                    storage: storage))
            let entry = MountEntry(
                path: mount.path, type: "kv", kind: mount.kind, accessor: "kv_\(index)", uuid: "m\(index)")
            entries.append(RouteEntry(mount: entry, backend: backend, storage: storage))
        }
        let router = Router()
        router.replace(entries)
        return router
    }

    @Test func theLongestPrefixWinsWhateverTheOrder() async throws {
        let router = try await router([
            ("team/", .secrets), ("team/app/", .secrets), ("azure/", .credential), ("azure-prod/", .credential),
        ])
        func match(_ path: String) -> String? {
            router.match(path).map { "\($0.0.mount.routePrefix)|\($0.1)" }
        }
        #expect(match("team/app/data/x") == "team/app/|data/x")
        #expect(match("team/other") == "team/|other")
        #expect(match("team/app") == "team/app/|")
        #expect(match("team") == "team/|")
        #expect(match("auth/azure/login") == "auth/azure/|login")
        #expect(match("auth/azure-prod/login") == "auth/azure-prod/|login")
        #expect(match("azure/login") == nil)
        #expect(match("teams/x") == nil)
        #expect(match("") == nil)
    }

    @Test func accessorLookupAndListingSeeTheReplacedTable() async throws {
        let router = try await router([("a/", .secrets), ("long/er/", .secrets)])
        #expect(router.all.map(\.mount.path) == ["long/er/", "a/"])
        #expect(router.route(accessor: "kv_0")?.mount.path == "a/")
        #expect(router.route(accessor: "kv_9") == nil)
        router.replace([])
        #expect(router.match("a/x") == nil)
        #expect(router.all.isEmpty)
    }
}
