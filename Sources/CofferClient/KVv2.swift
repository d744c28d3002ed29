import CofferJSON

/// A KV version 2 engine at one mount (the Go client's `client.KVv2(mount)`), with Vault's
/// not-found semantics: a missing key or version throws ``KVError/secretNotFound(context:)``; a
/// deleted or destroyed version is returned with `data == nil` and its metadata.
///
/// ```swift
/// let kv = client.kvV2(mount: "secret")
/// let written = try await kv.put("creds", ["password": "s3cr3t"])      // version 1
/// try await kv.patch("creds", ["user": "app"], checkAndSet: 1)           // version 2
/// let first = try await kv.get("creds", version: 1)
/// try await kv.delete("creds")                                          // soft-deletes version 2
/// let metadata = try await kv.metadata("creds")                         // versions, current_version…
/// ```
public struct KVv2: Sendable {
    public let client: VaultClient
    /// The mount path without slashes, e.g. `secret`.
    public let mountPath: String

    public init(client: VaultClient, mountPath: String) {
        self.client = client
        self.mountPath = mountPath.split(separator: "/").joined(separator: "/")
    }

    /// The latest version.
    public func get(_ path: String) async throws -> KVSecret {
        try await read(path, query: [:])
    }

    /// A given version (`0` is the latest).
    public func get(_ path: String, version: Int) async throws -> KVSecret {
        try await read(path, query: ["version": String(version)])
    }

    /// Writes a new version; `checkAndSet` must equal the current version (0: the key must not exist).
    @discardableResult
    public func put(_ path: String, _ data: [String: JSONValue], checkAndSet: Int? = nil) async throws -> KVSecret {
        let response = try await client.request("PUT", apiPath("data", path), body: body(data, checkAndSet))
        return written(data, response)
    }

    /// JSON merge-patch of `data` onto the latest version (a `null` value removes a key).
    @discardableResult
    public func patch(_ path: String, _ data: [String: JSONValue], checkAndSet: Int? = nil) async throws -> KVSecret {
        let apiPath = apiPath("data", path)
        do {
            let response = try await client.request(
                "PATCH", apiPath, body: body(data, checkAndSet),
                headers: ["Content-Type": VaultClient.mergePatchContentType])
            return written(data, response)
        } catch let error as VaultAPIError where error.statusCode == 404 {
            throw KVError.secretNotFound(context: "performing merge patch to \(apiPath)")
        }
    }

    /// Soft-deletes the latest version.
    public func delete(_ path: String) async throws {
        _ = try await client.request("DELETE", apiPath("data", path))
    }

    /// Soft-deletes the given versions.
    public func deleteVersions(_ path: String, versions: [Int]) async throws {
        try await versionsCall("delete", path, versions)
    }

    /// Restores soft-deleted versions.
    public func undelete(_ path: String, versions: [Int]) async throws {
        try await versionsCall("undelete", path, versions)
    }

    /// Erases the data of the given versions for good.
    public func destroy(_ path: String, versions: [Int]) async throws {
        try await versionsCall("destroy", path, versions)
    }

    /// The key's metadata and the list of its versions.
    public func metadata(_ path: String) async throws -> KVMetadata {
        let apiPath = apiPath("metadata", path)
        guard let data = try await client.read(apiPath)?.data else {
            throw KVError.secretNotFound(context: "at \(apiPath)")
        }
        return KVMetadata(data)
    }

    /// Every kept version's metadata, oldest first.
    public func versions(_ path: String) async throws -> [KVVersionMetadata] {
        try await metadata(path).versions
    }

    /// Writes key-level settings (`max_versions`, `cas_required`, `delete_version_after`, `custom_metadata`).
    public func putMetadata(_ path: String, _ update: KVMetadataUpdate) async throws {
        _ = try await client.request("PUT", apiPath("metadata", path), body: update.body)
    }

    /// Removes the key, every version and its metadata.
    public func deleteMetadata(_ path: String) async throws {
        _ = try await client.request("DELETE", apiPath("metadata", path))
    }

    // MARK: -

    func apiPath(_ prefix: String, _ path: String) -> String {
        let secret = path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return [mountPath, prefix, secret].filter { !$0.isEmpty }.joined(separator: "/")
    }

    private func read(_ path: String, query: [String: String]) async throws -> KVSecret {
        let apiPath = apiPath("data", path)
        // `read` keeps 404 answers that carry a secret body: deleted and destroyed versions.
        guard let response = try await client.read(apiPath, query: query), let data = response.data else {
            throw KVError.secretNotFound(context: "at \(apiPath)")
        }
        let metadata = data["metadata"]?.objectValue
        return KVSecret(
            data: data["data"]?.objectValue, versionMetadata: metadata.map { KVVersionMetadata($0) },
            customMetadata: (metadata?["custom_metadata"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
            raw: response)
    }

    private func body(_ data: [String: JSONValue], _ checkAndSet: Int?) -> JSONValue {
        let options: JSONValue = checkAndSet.map { ["cas": .int(Int64($0))] } ?? [:]
        return ["data": .object(data), "options": options]
    }

    private func written(_ data: [String: JSONValue], _ response: VaultResponse) -> KVSecret {
        let metadata = response.data
        return KVSecret(
            data: data, versionMetadata: metadata.map { KVVersionMetadata($0) },
            customMetadata: (metadata?["custom_metadata"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
            raw: response)
    }

    private func versionsCall(_ prefix: String, _ path: String, _ versions: [Int]) async throws {
        _ = try await client.request(
            "PUT", apiPath(prefix, path), body: ["versions": .array(versions.map { .int(Int64($0)) })])
    }
}

extension VaultClient {
    /// The KV version 2 engine mounted at `mount` (e.g. `secret`).
    public func kvV2(mount: String) -> KVv2 {
        KVv2(client: self, mountPath: mount)
    }
}
