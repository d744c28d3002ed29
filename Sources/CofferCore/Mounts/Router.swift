import CofferFramework
import CofferStorage
import Synchronization

/// A mounted backend with its table entry and storage view.
public struct RouteEntry: Sendable {
    public let mount: MountEntry
    public let backend: any LogicalBackend
    public let storage: StorageView

    /// `package`, not public: the core builds routes as it mounts; the router micro-benchmark
    /// (`Benchmarks/Micro`, same package) builds a table without a core.
    package init(mount: MountEntry, backend: any LogicalBackend, storage: StorageView) {
        self.mount = mount
        self.backend = backend
        self.storage = storage
    }
}

/// Longest-prefix routing over the mount table.
///
/// Reads take a snapshot under a lock and never wait for mount changes.
///
/// ```swift
/// router.replace(entries)
/// if let (route, relative) = router.match("secret/data/creds") { … }   // relative == "data/creds"
/// ```
public final class Router: Sendable {
    // Sorted longest prefix first so the first hit is the longest match.
    private let routes = Mutex<[RouteEntry]>([])

    public init() {}

    public func replace(_ entries: [RouteEntry]) {
        let sorted = entries.sorted { $0.mount.routePrefix.count > $1.mount.routePrefix.count }
        routes.withLock { $0 = sorted }
    }

    public var all: [RouteEntry] { routes.withLock { $0 } }

    /// The route owning `path`, and the path relative to it. A path equal to the mount path
    /// without its trailing slash (`secret`) routes to the mount too.
    public func match(_ path: String) -> (RouteEntry, String)? {
        let snapshot = routes.withLock { $0 }
        // UTF-8 comparisons: mount paths match byte for byte, and counting `Character`s walks graphemes.
        let utf8 = path.utf8
        for route in snapshot {
            let prefix = route.mount.routePrefix.utf8
            if utf8.starts(with: prefix) {
                return (route, String(Substring(utf8.dropFirst(prefix.count))))
            }
            if utf8.count == prefix.count - 1, prefix.starts(with: utf8) {
                return (route, "")
            }
        }
        return nil
    }

    public func route(accessor: String) -> RouteEntry? {
        routes.withLock { $0.first { $0.mount.accessor == accessor } }
    }
}
