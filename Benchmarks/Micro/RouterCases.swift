import CofferCore
import CofferFramework
import CofferStorage
import KVSecrets

/// The core's `Router` (longest prefix first, bytes compared) beside naive scans that check every mount with
/// `String.hasPrefix` and keep the longest, over the same mounts and request paths: one over a plain list of
/// prefix strings, one over the same `RouteEntry` values the router holds.
///
/// ```swift
/// let pairs = try await RouterCases.pairs()
/// ```
enum RouterCases {
    static func pairs() async throws -> [BenchmarkPair] {
        let barrier = Barrier(physical: MemoryPhysical())
        var prefixes = ["sys/", "cubbyhole/", "identity/", "secret/", "auth/token/", "auth/azure/"]
        for index in 0..<60 {
            prefixes.append(index % 3 == 0 ? "auth/approle-\(index)/" : "kv-team-\(index)/")
        }
        var routes: [RouteEntry] = []
        for (index, prefix) in prefixes.enumerated() {
            let credential = prefix.hasPrefix("auth/")
            let path = credential ? String(prefix.dropFirst("auth/".count)) : prefix
            let uuid = "mount-\(index)"
            let storage = StorageView(barrier, prefix: "logical/\(uuid)/")
            let backend = try await KVBackend.make(
                BackendConfiguration(
                    mountPath: prefix, mountAccessor: "kv_\(index)", mountUUID: uuid, options: [:], storage: storage))
            let mount = MountEntry(
                path: path, type: "kv", kind: credential ? .credential : .secrets, accessor: "kv_\(index)", uuid: uuid)
            routes.append(RouteEntry(mount: mount, backend: backend, storage: storage))
        }
        let router = Router()
        router.replace(routes)
        let paths = (0..<64).map { index in
            let prefix = prefixes[(index * 7) % prefixes.count]
            return prefix.hasPrefix("auth/") ? prefix + "login" : prefix + "data/app/db-\(index)"
        }
        var next = 0
        var nextNaive = 0
        var nextEntries = 0
        let entries = routes
        return [
            BenchmarkPair(
                name: "route a request path (\(prefixes.count) mounts)",
                ours: .init("Router.match") {
                    next = (next + 1) & 63
                    return router.match(paths[next])?.1.utf8.count ?? -1
                },
                baseline: .init("every mount, String.hasPrefix, longest") {
                    nextNaive = (nextNaive + 1) & 63
                    let path = paths[nextNaive]
                    var best: String? = nil
                    for prefix in prefixes where path.hasPrefix(prefix) && prefix.count > (best?.count ?? -1) {
                        best = prefix
                    }
                    guard let best else { return -1 }
                    return String(path.dropFirst(best.count)).utf8.count
                }),
            BenchmarkPair(
                name: "route a request path, over the route entries",
                ours: .init("Router.match") {
                    next = (next + 1) & 63
                    return router.match(paths[next])?.1.utf8.count ?? -1
                },
                baseline: .init("every RouteEntry, routePrefix.hasPrefix, longest") {
                    nextEntries = (nextEntries + 1) & 63
                    let path = paths[nextEntries]
                    var best: String? = nil
                    for entry in entries {
                        let prefix = entry.mount.routePrefix
                        if path.hasPrefix(prefix) && prefix.count > (best?.count ?? -1) { best = prefix }
                    }
                    guard let best else { return -1 }
                    return String(path.dropFirst(best.count)).utf8.count
                }),
        ]
    }
}
