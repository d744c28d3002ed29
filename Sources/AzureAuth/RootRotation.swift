import AzureKit
import CofferFramework
import CofferStorage
import Foundation
import Logging
import Synchronization

/// Rotation of the client secret Coffer itself uses to call Azure (`rotate-root`, spec §6 with §11's fixes).
///
/// ```swift
/// let rotation = RootRotation(knobs: AzureRotationKnobs(), logger: logger)
/// let warnings = try await rotation.rotate(storage, config: config, clientID: appID, graph: graph)  // adds `vault-<uuid>`
/// _ = try await rotation.promoteIfDue(storage, load: …, save: …, graph: …)  // later: switch, remove the old key
/// try await rotation.rollBackOrphans(storage) { graph }                  // at start and on every background pass
/// ```
///
/// A rotation adds a password named `vault-<uuid>` and keeps using the current secret until the new one has
/// propagated through Entra ID (``Knobs/propagation``). Promotion then switches the config to the new secret and
/// removes only the password Coffer knew as its previous secret (`client_secret_key_id`). A write-ahead record is
/// stored before the password is added, so a crash in between leaves a record the next run rolls back by removing
/// the orphaned password from Azure. The new secret is never returned or logged; only key ids are.
final class RootRotation: Sendable {
    typealias Knobs = AzureRotationKnobs

    /// A rotated secret waiting for promotion.
    struct PendingSecret: Codable, Sendable {
        var secret: String
        var keyID: String
        var objectID: String
        var created: Double
        var expiration: String
    }

    /// Everything rotation keeps besides the config: the pending secret and the automated-rotation clock.
    struct State: Codable, Sendable {
        var pending: PendingSecret?
        /// When the last rotation (manual or automated) added its password.
        var lastRotation: Double?
        /// When the automated-rotation settings last changed: the start of the first period or schedule.
        var anchor: Double?
    }

    /// The write-ahead record of one rotation, stored before the password is added to Azure.
    struct WriteAhead: Codable, Sendable {
        var id: String
        var displayName: String
        var objectID: String
        var keyID: String?
        var created: Double
    }

    static let stateKey = "rotation/state"
    static let walPrefix = "rotation/wal/"

    let knobs: Knobs
    let logger: Logger
    /// One rotation, promotion or rollback at a time; requests wait, background passes skip.
    private let gate = RotationGate()
    /// Write-ahead records of rotations this instance is running (or, with the halt fault, abandoned as if it had
    /// crashed); any other record in storage belongs to a run that died and is rolled back.
    private let inFlight = Mutex<Set<String>>([])

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
        try await gate.run { try await rotateLocked(storage, config: config, clientID: clientID, graph) }
    }

    private func rotateLocked(
        _ storage: any Storage, config: AzureConfig, clientID: String, _ graph: any AzureGraphManaging
    ) async throws -> [String] {
        var state = try await Self.loadState(storage)
        if let pending = state.pending {
            let due = Date(timeIntervalSince1970: pending.created + knobs.propagation)
            throw LogicalError.badRequest(
                "the previously rotated secret is waiting for promotion (due at \(Self.rfc3339(due))); rotate again after that"
            )
        }
        let application = try await Self.azure { try await graph.findApplication(appID: clientID) }
        let now = Date()
        let ttl = config.rootPasswordTTL > 0 ? config.rootPasswordTTL : AzureConfig.defaultRootPasswordTTL
        let expiry = now.addingTimeInterval(Double(ttl))
        var record = WriteAhead(
            id: UUID().uuidString.lowercased(), displayName: "vault-\(UUID().uuidString.lowercased())",
            objectID: application.objectID, created: now.timeIntervalSince1970)
        // Owned before it exists, so no background pass ever mistakes it for an orphan.
        inFlight.withLock { _ = $0.insert(record.id) }
        do {
            try await storage.putJSON(Self.walPrefix + record.id, record)
        } catch {
            inFlight.withLock { _ = $0.remove(record.id) }
            throw error
        }
        let added: GraphPasswordCredential
        do {
            added = try await graph.addPassword(
                objectID: application.objectID, displayName: record.displayName, endDateTime: expiry)
        } catch {
            // The password may exist even though the answer was lost: roll back by display name.
            await abandon(record, storage, graph)
            throw Self.logical(error, prefix: "failed to add new password")
        }
        record.keyID = added.keyID
        try? await storage.putJSON(Self.walPrefix + record.id, record)
        if knobs.haltAfterPasswordAdded {
            // Simulated crash: the record stays and stays marked in flight, so only a new instance rolls it back.
            throw LogicalError(status: 500, messages: ["rotation halted after adding the password (fault injection)"])
        }
        guard let secret = added.secretText, !secret.isEmpty else {
            await abandon(record, storage, graph)
            throw LogicalError.badGateway("Graph addPassword: the answer carried no secretText")
        }
        state.pending = PendingSecret(
            secret: secret, keyID: added.keyID, objectID: application.objectID, created: now.timeIntervalSince1970,
            expiration: added.endDateTime ?? Self.rfc3339(expiry))
        state.lastRotation = now.timeIntervalSince1970
        do {
            try await storage.putJSON(Self.stateKey, state)
        } catch {
            await abandon(record, storage, graph)
            throw LogicalError(status: 500, messages: ["failed to save new configuration: \(error)"])
        }
        try? await storage.delete(Self.walPrefix + record.id)
        inFlight.withLock { _ = $0.remove(record.id) }
        logger.info("azure: added root password \(added.keyID); it is used after promotion")
        if config.clientSecretKeyID.isEmpty {
            return [
                "the current client secret was not created by Coffer, so it is not removed at promotion; "
                    + "delete it from the application in Azure once the rotated secret is in use"
            ]
        }
        return []
    }

    /// Removes the password a failed rotation may have added, then its record.
    private func abandon(_ record: WriteAhead, _ storage: any Storage, _ graph: any AzureGraphManaging) async {
        do {
            try await rollBack(record, storage, graph)
        } catch {
            logger.error("azure: rolling back rotation \(record.id) failed, retried in the background: \(error)")
        }
        inFlight.withLock { _ = $0.remove(record.id) }
    }

    // MARK: rollback

    /// Rolls back every write-ahead record no rotation of this instance owns: removes its password from Azure
    /// (matched by key id or by the unique display name), then the record. Returns how many were rolled back.
    @discardableResult
    func rollBackOrphans(_ storage: any Storage, graph: () throws -> any AzureGraphManaging) async throws -> Int {
        // Skip a busy turn; the records wait for the next pass.
        try await gate.runIfFree { try await rollBackOrphansLocked(storage, graph: graph) } ?? 0
    }

    private func rollBackOrphansLocked(_ storage: any Storage, graph: () throws -> any AzureGraphManaging)
        async throws -> Int
    {
        let ids = try await storage.list(prefix: Self.walPrefix).filter { !$0.hasSuffix("/") }
        let owned = inFlight.withLock { $0 }
        let orphans = ids.filter { !owned.contains($0) }
        guard !orphans.isEmpty else { return 0 }
        let client = try graph()
        var count = 0
        for id in orphans {
            guard let record = try await storage.getJSON(WriteAhead.self, Self.walPrefix + id) else { continue }
            try await rollBack(record, storage, client)
            count += 1
        }
        return count
    }

    private func rollBack(_ record: WriteAhead, _ storage: any Storage, _ graph: any AzureGraphManaging) async throws {
        let pending = try await Self.loadState(storage).pending
        let passwords = try await Self.azure { try await graph.passwordCredentials(objectID: record.objectID) }
        let created = passwords.filter {
            $0.keyID == record.keyID || (!record.displayName.isEmpty && $0.displayName == record.displayName)
        }
        for password in created where password.keyID != pending?.keyID {
            try await removePassword(graph, objectID: record.objectID, keyID: password.keyID)
            logger.notice("azure: rolled back rotation \(record.id): removed password \(password.keyID)")
        }
        try await storage.delete(Self.walPrefix + record.id)
    }

    private func removePassword(_ graph: any AzureGraphManaging, objectID: String, keyID: String) async throws {
        do {
            try await graph.removePassword(objectID: objectID, keyID: keyID)
        } catch AzureError.notFound {
            // Already gone: the goal of the removal holds.
        }
    }

    // MARK: promotion

    /// Switches to the pending secret once it has propagated and removes the previous one Coffer knew.
    /// Returns the promoted config, or nil when nothing was due.
    func promoteIfDue(
        _ storage: any Storage, load: () async throws -> AzureConfig?, save: (AzureConfig) async throws -> Void,
        graph: (AzureConfig) throws -> any AzureGraphManaging
    ) async throws -> AzureConfig? {
        let promoted = try await gate.runIfFree { () -> AzureConfig? in
            var state = try await Self.loadState(storage)
            guard let pending = state.pending,
                Date().timeIntervalSince1970 - pending.created >= knobs.propagation,
                var config = try await load()
            else { return nil }
            let previous = config.clientSecretKeyID
            if !previous.isEmpty, previous != pending.keyID {
                let client = try graph(config)
                try await Self.azure {
                    // Someone may have removed it already; Graph answers 400 for an unknown key id.
                    let present = try await client.passwordCredentials(objectID: pending.objectID)
                    if present.contains(where: { $0.keyID == previous }) {
                        try await self.removePassword(client, objectID: pending.objectID, keyID: previous)
                    }
                }
            }
            config.clientSecret = pending.secret
            config.clientSecretKeyID = pending.keyID
            config.rootPasswordExpirationDate = pending.expiration
            try await save(config)
            state.pending = nil
            try await storage.putJSON(Self.stateKey, state)
            logger.info(
                "azure: promoted root password \(pending.keyID)\(previous.isEmpty ? "" : "; removed \(previous)")")
            return config
        }
        return promoted ?? nil
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

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// Timing and fault points of root rotation, fixed when a mount's backend is built. Production uses the defaults;
/// tests pass compressed timing (or the halt fault) through ``AzureAuthMethod/factory(environment:logger:rotation:makeServicesFactory:)``,
/// so no environment variable on a real host can change them.
///
/// ```swift
/// AzureAuthMethod.factory(environment: env, logger: logger, rotation: AzureRotationKnobs(propagation: 1, tick: 0.2)) { … }
/// ```
public struct AzureRotationKnobs: Sendable {
    /// Seconds a new secret waits before it is used (Entra ID replicates new credentials lazily).
    public let propagation: Double
    /// Seconds between background passes that promote, roll back and run due automated rotations.
    public let tick: Double
    /// Fault injection: stop a rotation right after the password is added and recorded, as a crash would.
    public let haltAfterPasswordAdded: Bool

    /// Values are kept within sane bounds (propagation 0 s–1 week, tick 10 ms–1 day; NaN means the default), so
    /// date arithmetic and sleeps built from them cannot trap.
    public init(propagation: Double = 60, tick: Double = 10, haltAfterPasswordAdded: Bool = false) {
        self.propagation = propagation.isNaN ? 60 : min(max(propagation, 0), 604_800)
        self.tick = tick.isNaN ? 10 : min(max(tick, 0.01), 86_400)
        self.haltAfterPasswordAdded = haltAfterPasswordAdded
    }

    var tickInterval: Duration { .milliseconds(Int64((tick * 1000).rounded())) }
}
