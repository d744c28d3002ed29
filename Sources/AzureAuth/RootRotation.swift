import AzureKit
import CofferFramework
import CofferStorage
import Foundation
import Logging

/// Rotation of the client secret Coffer itself uses to call Azure (`rotate-root`).
///
/// ```swift
/// let rotation = RootRotation(knobs: AzureRotationKnobs(), logger: logger)
/// let warnings = try await rotation.rotate(storage, config: config, clientID: appID, graph: graph)  // adds `vault-<uuid>`
/// _ = try await rotation.promoteIfDue(storage, load: …, save: …, graph: …)  // periodic: switch, remove the old key
/// try await rotation.rollBack(walEntry, storage) { graph }                 // periodic: undo an interrupted rotation
/// ```
///
/// A rotation adds a password named `vault-<uuid>` and keeps using the current secret until the new one has
/// propagated through Entra ID (``AzureRotationKnobs/propagation``). Promotion then switches the config to the new
/// secret and removes only the password it replaces: the one Coffer created before (`client_secret_key_id`), or, after
/// a hand-entered secret, the one password whose Graph `hint` (its first three characters) matches that secret. A
/// write-ahead entry (``WALEntry``) is stored before the password is added, so a crash in between leaves an entry the
/// backend's ``WALRollback`` undoes by removing the orphaned password from Azure. The new secret is never returned
/// or logged; only key ids are. One rotation, promotion, rollback or config write runs at a time (``lock``).
final class RootRotation: Sendable {
    typealias Knobs = AzureRotationKnobs

    /// A rotated secret waiting for promotion.
    struct PendingSecret: Codable, Sendable {
        var secret: String
        var keyID: String
        var objectID: String
        var created: Double
        var expiration: String
        /// The key id of the hand-entered secret this one replaces (found by its hint), removed at promotion.
        var replaces: String?
    }

    /// A password Coffer added and no longer wants (a pending rotation abandoned by a config write), removed from
    /// Azure by the next periodic pass. Also decodes the write-ahead records of earlier versions.
    struct Abandoned: Codable, Sendable {
        var objectID: String
        var keyID: String?
        var displayName: String?
    }

    /// Everything rotation keeps besides the config: the pending secret and the automated-rotation clock.
    struct State: Codable, Sendable {
        var pending: PendingSecret?
        /// When the last rotation (manual or automated) added its password.
        var lastRotation: Double?
        /// When the automated-rotation settings last changed: the start of the first period or schedule.
        var anchor: Double?
        var abandoned: [Abandoned]?
    }

    static let stateKey = "rotation/state"
    /// The ``WALEntry/kind`` of a rotation's write-ahead entry (data: `display_name`, `object_id`).
    static let walKind = "root-password"
    /// Where versions before the framework's write-ahead log kept their records.
    static let legacyWALPrefix = "rotation/wal/"

    let knobs: Knobs
    let logger: Logger
    /// Serialises rotations, promotions, rollbacks and config writes of one mount (each reads and writes the state).
    let lock = AsyncLock()

    init(knobs: Knobs, logger: Logger) {
        self.knobs = knobs
        self.logger = logger
    }

    static func loadState(_ storage: any Storage) async throws -> State {
        try await storage.getJSON(State.self, stateKey) ?? State()
    }

    // MARK: rotate

    /// Adds a new password and records it as pending. Returns warnings for the response.
    func rotate(
        _ storage: any Storage, config: AzureConfig, clientID: String,
        graph: any AzureGraphManaging
    ) async throws -> [String] {
        await lock.lock()
        defer { lock.unlock() }
        var state = try await Self.loadState(storage)
        if let pending = state.pending {
            let due = Date(timeIntervalSince1970: pending.created + knobs.propagation)
            throw LogicalError.badRequest(
                "the previously rotated secret is waiting for promotion (due at \(Self.rfc3339(due))); rotate again after that"
            )
        }
        let application = try await Self.azure { try await graph.findApplication(appID: clientID) }
        let replaces =
            config.clientSecretKeyID.isEmpty
            ? Self.handEnteredCredential(application.passwordCredentials, secret: config.clientSecret) : nil
        let now = Date()
        let added = try await addPassword(storage, config: config, application: application, graph, now: now)
        state.pending = PendingSecret(
            secret: added.secret, keyID: added.credential.keyID, objectID: application.objectID,
            created: now.timeIntervalSince1970, expiration: added.expiration, replaces: replaces)
        state.lastRotation = now.timeIntervalSince1970
        do {
            try await storage.putJSON(Self.stateKey, state)
        } catch {
            await abandon(added.walID, storage, graph)
            throw LogicalError(status: 500, messages: ["failed to save new configuration: \(error)"])
        }
        try? await storage.deleteWAL(added.walID)
        logger.info(
            "azure: added a root password; it is used after promotion",
            metadata: ["key_id": "\(added.credential.keyID)", "replaces": "\(replaces ?? config.clientSecretKeyID)"])
        if config.clientSecretKeyID.isEmpty, replaces == nil {
            return [
                "the current client secret was not created by Coffer, so it is not removed at promotion; "
                    + "delete it from the application in Azure once the rotated secret is in use"
            ]
        }
        return []
    }

    /// The key id of the one password whose Graph hint (its first three characters) matches `secret`; nil when no
    /// password or several match, or Graph lists no hints: then Coffer cannot tell which one the secret is.
    static func handEnteredCredential(_ credentials: [GraphPasswordCredential], secret: String) -> String? {
        let hint = String(secret.prefix(3))
        guard hint.count == 3 else { return nil }
        let matches = credentials.filter { $0.hint == hint }
        return matches.count == 1 ? matches[0].keyID : nil
    }

    /// A password added under a write-ahead entry that is still stored (the caller deletes it once the rotation is
    /// recorded).
    private struct Added {
        var credential: GraphPasswordCredential
        var secret: String
        var expiration: String
        var walID: String
    }

    private func addPassword(
        _ storage: any Storage, config: AzureConfig, application: GraphApplication, _ graph: any AzureGraphManaging,
        now: Date
    ) async throws -> Added {
        let ttl = config.rootPasswordTTL > 0 ? config.rootPasswordTTL : AzureConfig.defaultRootPasswordTTL
        let expiry = now.addingTimeInterval(Double(ttl))
        let displayName = "vault-\(UUID().uuidString.lowercased())"
        let walID = try await storage.putWAL(
            kind: Self.walKind,
            data: ["display_name": .string(displayName), "object_id": .string(application.objectID)])
        let added: GraphPasswordCredential
        do {
            added = try await graph.addPassword(
                objectID: application.objectID, displayName: displayName, endDateTime: expiry)
        } catch {
            // The password may exist even though the answer was lost: roll back by display name.
            await abandon(walID, storage, graph)
            throw Self.logical(error, prefix: "failed to add new password")
        }
        if knobs.haltAfterPasswordAdded {
            // Simulated crash: the entry stays, younger than the minimum age, so only a new instance rolls it back.
            throw LogicalError(status: 500, messages: ["rotation halted after adding the password (fault injection)"])
        }
        guard let secret = added.secretText, !secret.isEmpty else {
            await abandon(walID, storage, graph)
            throw LogicalError.badGateway("Graph addPassword: the answer carried no secretText")
        }
        return Added(
            credential: added, secret: secret, expiration: added.endDateTime ?? Self.rfc3339(expiry), walID: walID)
    }

    /// Rolls back at once what a failed rotation may have added; a failure leaves the entry to a periodic pass.
    private func abandon(_ walID: String, _ storage: any Storage, _ graph: any AzureGraphManaging) async {
        do {
            guard let entry = try await storage.getWAL(walID) else { return }
            try await rollBackLocked(entry, storage, graph)
            try await storage.deleteWAL(walID)
        } catch {
            logger.error(
                "azure: rolling back a rotation failed; a later periodic pass retries",
                metadata: ["wal_id": "\(walID)", "error": "\(error)"])
        }
    }
}
