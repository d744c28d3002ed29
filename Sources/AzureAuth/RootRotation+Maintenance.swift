import AzureKit
import CofferFramework
import CofferStorage
import Foundation

/// The periodic side of root rotation: rolling back interrupted rotations (write-ahead entries), removing abandoned
/// passwords, and promoting a propagated secret.
///
/// ```swift
/// try await rotation.rollBack(entry, storage) { try graph(for: config) }   // the backend's WALRollback
/// try await rotation.removeAbandoned(storage) { try graph(for: config) }   // each periodic pass
/// let promoted = try await rotation.promoteIfDue(storage, load: load, save: save, graph: graph)
/// ```
extension RootRotation {
    // MARK: rollback

    /// Undoes the rotation of a write-ahead entry: removes the password it added (matched by its unique display
    /// name). The entry may have finished while this waited for the lock; then there is nothing to undo.
    func rollBack(_ entry: WALEntry, _ storage: any Storage, graph: () throws -> any AzureGraphManaging)
        async throws
    {
        await lock.lock()
        defer { lock.unlock() }
        guard try await storage.getWAL(entry.id) != nil else { return }
        try await rollBackLocked(entry, storage, try graph())
        logger.notice("azure: rolled back an interrupted rotation", metadata: ["wal_id": "\(entry.id)"])
    }

    func rollBackLocked(_ entry: WALEntry, _ storage: any Storage, _ graph: any AzureGraphManaging) async throws {
        guard let objectID = entry.data["object_id"]?.stringValue,
            let displayName = entry.data["display_name"]?.stringValue
        else { return }
        try await removeAdded(Abandoned(objectID: objectID, displayName: displayName), storage, graph)
    }

    /// Removes the passwords abandoned by config writes, and those recorded by earlier versions' write-ahead records
    /// (which no running rotation owns). Each is dropped from the state once removed.
    func removeAbandoned(_ storage: any Storage, graph: () throws -> any AzureGraphManaging) async throws {
        await lock.lock()
        defer { lock.unlock() }
        var state = try await Self.loadState(storage)
        var abandoned = state.abandoned ?? []
        let legacy = try await storage.list(prefix: Self.legacyWALPrefix).filter { !$0.hasSuffix("/") }
        for id in legacy {
            if let record = try await storage.getJSON(Abandoned.self, Self.legacyWALPrefix + id) {
                abandoned.append(record)
            }
        }
        guard !abandoned.isEmpty else { return }
        if !legacy.isEmpty {
            state.abandoned = abandoned
            try await storage.putJSON(Self.stateKey, state)
            for id in legacy { try await storage.delete(Self.legacyWALPrefix + id) }
        }
        let client = try graph()
        while let next = abandoned.first {
            try await removeAdded(next, storage, client)
            abandoned.removeFirst()
            state.abandoned = abandoned.isEmpty ? nil : abandoned
            try await storage.putJSON(Self.stateKey, state)
        }
    }

    /// Removes the passwords Coffer added that `target` names (by key id or display name), never the pending one
    /// nor the one the config uses: a write-ahead entry left by a crash after its rotation was recorded names a
    /// password that a promotion may since have put in use.
    private func removeAdded(_ target: Abandoned, _ storage: any Storage, _ graph: any AzureGraphManaging)
        async throws
    {
        let pending = try await Self.loadState(storage).pending
        let inUse = try await storage.getJSON(AzureConfig.self, AzureConfig.storageKey)?.clientSecretKeyID
        let passwords = try await Self.azure { try await graph.passwordCredentials(objectID: target.objectID) }
        let added = passwords.filter { password in
            if let keyID = target.keyID, password.keyID == keyID { return true }
            guard let name = target.displayName, !name.isEmpty else { return false }
            return password.displayName == name
        }
        for password in added where password.keyID != pending?.keyID && password.keyID != inUse {
            try await removePassword(graph, objectID: target.objectID, keyID: password.keyID)
            logger.notice("azure: removed a password Coffer added", metadata: ["key_id": "\(password.keyID)"])
        }
    }

    func removePassword(_ graph: any AzureGraphManaging, objectID: String, keyID: String) async throws {
        do {
            try await graph.removePassword(objectID: objectID, keyID: keyID)
        } catch AzureError.notFound {
            // Already gone: the goal of the removal holds.
        }
    }

    // MARK: promotion

    /// Switches to the pending secret once it has propagated and removes the one it replaces. Returns the promoted
    /// config, or nil when nothing was due.
    func promoteIfDue(
        _ storage: any Storage, load: () async throws -> AzureConfig?, save: (AzureConfig) async throws -> Void,
        graph: (AzureConfig) throws -> any AzureGraphManaging
    ) async throws -> AzureConfig? {
        await lock.lock()
        defer { lock.unlock() }
        var state = try await Self.loadState(storage)
        guard let pending = state.pending,
            Date().timeIntervalSince1970 - pending.created >= knobs.propagation,
            var config = try await load()
        else { return nil }
        let previous = config.clientSecretKeyID.isEmpty ? pending.replaces ?? "" : config.clientSecretKeyID
        if !previous.isEmpty, previous != pending.keyID {
            let client = try graph(config)
            // Someone may have removed it already; Graph answers 400 for an unknown key id.
            let present = try await Self.azure { try await client.passwordCredentials(objectID: pending.objectID) }
            if present.contains(where: { $0.keyID == previous }) {
                try await Self.azure { try await removePassword(client, objectID: pending.objectID, keyID: previous) }
            }
        }
        config.clientSecret = pending.secret
        config.clientSecretKeyID = pending.keyID
        config.rootPasswordExpirationDate = pending.expiration
        try await save(config)
        state.pending = nil
        try await storage.putJSON(Self.stateKey, state)
        logger.info(
            "azure: promoted the rotated root password",
            metadata: ["key_id": "\(pending.keyID)", "removed": "\(previous)"])
        return config
    }

    // MARK: helpers

    /// Runs an Azure call, mapping AzureKit errors to the method's status codes (configuration 400, upstream 502).
    static func azure<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AzureError {
            throw AzureLogin.logicalError(error, prefix: nil)
        }
    }

    static func logical(_ error: any Error, prefix: String) -> any Error {
        if let azure = error as? AzureError { return AzureLogin.logicalError(azure, prefix: prefix) }
        return error
    }

    static func rfc3339(_ date: Date) -> String { RFC3339.string(date, fraction: .none) }
}
