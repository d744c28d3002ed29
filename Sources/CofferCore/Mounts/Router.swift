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
    /// The mount table sorted longest prefix first, so the first hit is the longest match, with each route's
    /// prefix computed once beside it. Matching reads only `prefixes`: `MountEntry.routePrefix` builds a string
    /// per call for auth mounts, and copying a route out of the table costs a reference count per field, which
    /// made matching slower than a plain scan of strings (`Benchmarks/Micro`, router case).
    private struct Table: Sendable {
        var prefixes: [String] = []
        var entries: [RouteEntry] = []
    }

    private let table = Mutex(Table())

    public init() {}

    public func replace(_ entries: [RouteEntry]) {
        let sorted = entries.map { (prefix: $0.mount.routePrefix, entry: $0) }
            .sorted { $0.prefix.utf8.count > $1.prefix.utf8.count }
        table.withLock { $0 = Table(prefixes: sorted.map(\.prefix), entries: sorted.map(\.entry)) }
    }

    public var all: [RouteEntry] { table.withLock { $0.entries } }

    /// The route owning `path`, and the path relative to it. A path equal to the mount path
    /// without its trailing slash (`secret`) routes to the mount too.
    public func match(_ path: String) -> (RouteEntry, String)? {
        let snapshot = table.withLock { $0 }
        // UTF-8 comparisons: mount paths match byte for byte, and counting `Character`s walks graphemes.
        let utf8 = path.utf8
        for index in snapshot.prefixes.indices {
            let prefix = snapshot.prefixes[index].utf8
            if utf8.starts(with: prefix) {
                return (snapshot.entries[index], String(Substring(utf8.dropFirst(prefix.count))))
            }
            if utf8.count == prefix.count - 1, prefix.starts(with: utf8) {
                return (snapshot.entries[index], "")
            }
        }
        return nil
    }

    public func route(accessor: String) -> RouteEntry? {
        table.withLock { $0.entries.first { $0.mount.accessor == accessor } }
    }
}
