import AzureKit
import CofferFramework
import CofferStorage
import Foundation

/// The `rotate-root` path and the method's lifecycle hooks around it: the periodic pass that promotes rotated
/// secrets, removes abandoned passwords and runs automated rotations, and the write-ahead rollback of rotations a
/// crash interrupted.
///
/// ```swift
/// FrameworkBackend(kind: .credential, paths: paths + rotationPaths,
///                  periodic: rotationPeriodic, walRollback: rotationRollback)
/// vault write -f auth/azure/rotate-root      # 204, or 200 with a warning
/// ```
extension AzureAuthBackend {
    var rotationPaths: [PathDefinition] {
        [
            PathDefinition(
                "rotate-root",
                operations: [
                    .update: PathOperation("Rotate the client secret Coffer uses to call Azure") { request, _ in
                        try await self.rotateRoot(request.storage)
                    }
                ],
                synopsis: "Adds a new client secret in Azure, switches to it after propagation, removes the old one.")
        ]
    }

    /// The method's periodic work, every ``AzureRotationKnobs/tick``.
    var rotationPeriodic: PeriodicFunction {
        PeriodicFunction(every: rotation.knobs.tickInterval) { storage in try await self.rotationTick(storage) }
    }

    /// Undoes rotations whose write-ahead entry outlived them (``RootRotation/walKind``).
    var rotationRollback: WALRollback {
        WALRollback(minimumAge: rotation.knobs.walMinimumAgeDuration) { entry, storage in
            guard entry.kind == RootRotation.walKind else { return }
            guard let config = try await self.loadConfig(storage) else {
                throw LogicalError.badRequest("config is nil: the password of an interrupted rotation stays in Azure")
            }
            try await self.rotation.rollBack(entry, storage) { try self.graph(for: config) }
        }
    }

    func rotateRoot(_ storage: any Storage) async throws -> LogicalResponse? {
        guard let config = try await loadConfig(storage) else { throw LogicalError.badRequest("config is nil") }
        guard config.identityTokenAudience.isEmpty else {
            throw LogicalError.badRequest(
                "rotate-root rotates a client secret, but this mount uses workload identity federation (identity_token_audience)"
            )
        }
        guard !config.clientSecret.isEmpty else {
            throw LogicalError.badRequest("rotate-root needs a client_secret stored in the config to rotate")
        }
        let settings = try settings(for: config)
        guard !settings.clientID.isEmpty else {
            throw LogicalError.badRequest("client_id is required to rotate the root credential")
        }
        let warnings = try await rotation.rotate(
            storage, config: config, clientID: settings.clientID, graph: try graph(for: config))
        return warnings.isEmpty ? nil : LogicalResponse(warnings: warnings)
    }

    func graph(for config: AzureConfig) throws -> any AzureGraphManaging {
        do {
            return try servicesFactory.makeGraph(try settings(for: config), pluginIdentityToken: pluginIdentityToken)
        } catch let error as AzureError {
            throw AzureLogin.logicalError(error, prefix: "failed to create MS graph client")
        }
    }

    // MARK: config read and write

    /// The config read answer: stored fields plus `next_rotation_time` while automated rotation is on.
    func configReadData(_ config: AzureConfig, _ storage: any Storage) async throws -> [String: JSONValue] {
        var data = config.readData()
        if let schedule = try? RotationSchedule(config) {
            let state = try await RootRotation.loadState(storage)
            if let next = schedule.nextRotation(lastRotation: state.lastRotation, anchor: state.anchor, now: Date()) {
                data["next_rotation_time"] = .string(RootRotation.rfc3339(next))
            }
        }
        return data
    }

    /// After a config write (the caller holds the rotation lock): new rotation settings restart the
    /// automated-rotation clock, and a new client secret or client id abandons a pending rotation (its password is
    /// removed by the next periodic pass).
    func configWritten(old: AzureConfig?, new: AzureConfig, fields: FieldData, _ storage: any Storage) async throws {
        var state = try await RootRotation.loadState(storage)
        var changed = false
        if old?.rotationPeriod != new.rotationPeriod || old?.rotationSchedule != new.rotationSchedule
            || old?.rotationWindow != new.rotationWindow
            || old?.disableAutomatedRotation != new.disableAutomatedRotation
        {
            state.anchor = Date().timeIntervalSince1970
            changed = true
        }
        if let pending = state.pending, fields.has("client_secret") || fields.has("client_id") {
            state.abandoned =
                (state.abandoned ?? []) + [
                    RootRotation.Abandoned(objectID: pending.objectID, keyID: pending.keyID)
                ]
            state.pending = nil
            changed = true
        }
        if changed { try await storage.putJSON(RootRotation.stateKey, state) }
    }

    // MARK: periodic pass

    /// One pass: remove abandoned passwords, promote a propagated secret, run a due automated rotation.
    func rotationTick(_ storage: any Storage) async throws {
        guard let config = try await loadConfig(storage) else { return }
        try await rotation.removeAbandoned(storage) { try self.graph(for: config) }
        let promoted = try await rotation.promoteIfDue(
            storage, load: { try await self.loadConfig(storage) },
            save: { config in
                try await storage.putJSON(AzureConfig.storageKey, config)
                self.dropServices()
            }, graph: { try self.graph(for: $0) })
        try await rotateIfDue(storage, promoted ?? config)
    }

    private func rotateIfDue(_ storage: any Storage, _ config: AzureConfig) async throws {
        guard let schedule = try RotationSchedule(config) else { return }
        let state = try await RootRotation.loadState(storage)
        guard state.pending == nil,
            let due = schedule.nextRotation(lastRotation: state.lastRotation, anchor: state.anchor, now: Date()),
            due <= Date()
        else { return }
        logger.info("azure: automated root rotation starts", metadata: ["due": "\(RootRotation.rfc3339(due))"])
        _ = try await rotateRoot(storage)
    }
}
