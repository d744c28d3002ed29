import ArgumentParser
import CofferClient

/// The KV engine that owns a path, found with the CLI's preflight request, and the API paths
/// built from it (`secret/creds` → `secret/data/creds` on a version 2 mount).
///
/// ```swift
/// let kv = try await KVMount.resolve("secret/creds", mountFlag: nil, cli: cli)
/// kv.apiPath("data")          // "secret/data/creds" (v2) or "secret/creds" (v1)
/// ```
struct KVMount {
    /// The mount path as the server reported it, e.g. `secret/` (empty for old servers).
    let mountPath: String
    let isV2: Bool
    /// The secret path with the mount in front (what the user typed, or `-mount` + path).
    let partialPath: String
    let usesMountFlag: Bool

    /// `GET sys/internal/ui/mounts/<path>`; a 404 means an old server, so KV version 1.
    static func preflight(_ path: String, client: VaultClient) async throws -> (mountPath: String, version: Int) {
        let response = try await client.send("GET", "sys/internal/ui/mounts/" + path)
        if response.statusCode == 404 { return ("", 1) }
        guard response.isSuccess else {
            throw VaultAPIError(
                method: "GET", url: client.url(for: "sys/internal/ui/mounts/" + path), response: response)
        }
        guard let data = response.data else {
            throw KeyValueArguments.ParseError(description: "nil response from pre-flight request")
        }
        let mountPath = data["path"]?.stringValue ?? ""
        let version = data["options"]?["version"]?.stringValue == "2" ? 2 : 1
        return (mountPath, version)
    }

    /// Runs the preflight for `argument` (or for `-mount`), printing a failure and exiting 2.
    static func resolve(_ argument: String, mountFlag: String?, cli: CLIContext) async throws -> KVMount {
        var partial = argument
        while partial.hasPrefix("/") { partial.removeFirst() }
        let target = mountFlag.map(sanitizePath) ?? partial
        let found = try await cli.call(nil) { try await preflight(target, client: cli.client) }
        if mountFlag != nil && found.version == 2 {
            partial = joinPath(found.mountPath, partial)
        }
        return KVMount(
            mountPath: found.mountPath, isV2: found.version == 2, partialPath: partial, usesMountFlag: mountFlag != nil)
    }

    /// The API path for a v2 `apiPrefix` (`data`, `metadata`, `delete`…), or the plain v1 path.
    func apiPath(_ apiPrefix: String) -> String {
        if isV2 { return Self.addPrefix(partialPath, mountPath: mountPath, apiPrefix: apiPrefix) }
        return usesMountFlag ? joinPath(mountPath, partialPath) : partialPath
    }

    /// Vault's `addPrefixToKVPath`: inserts `apiPrefix` right after the mount path.
    static func addPrefix(_ path: String, mountPath: String, apiPrefix: String) -> String {
        if path == mountPath || path + "/" == mountPath {
            return joinPath(mountPath, apiPrefix)
        }
        var mount = mountPath
        var rest = path.hasPrefix(mount) ? String(path.dropFirst(mount.count)) : path
        // The reported mount may carry a namespace the user left out; drop leading segments until it fits.
        while rest == path {
            let parts = mount.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count > 1, !parts[1].isEmpty else { break }
            mount = String(parts[1].hasSuffix("/") ? parts[1].dropLast() : parts[1])
            rest = rest.hasPrefix(mount) ? String(rest.dropFirst(mount.count)) : rest
        }
        return joinPath(mount, apiPrefix, rest)
    }
}
