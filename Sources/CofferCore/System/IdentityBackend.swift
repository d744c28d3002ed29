import CofferFramework
import Foundation

/// `identity/`: entities, entity aliases, groups, group aliases and lookups (docs/identity.md), plus the plugin
/// identity token issuer. Writes go to ``IdentityStore``; this type reads the request's fields and shapes answers.
///
/// ```swift
/// let backend = IdentityBackend(core: core).backend   // mounted at identity/ by the core
/// ```
struct IdentityBackend: Sendable {
    let core: Core

    var backend: FrameworkBackend {
        FrameworkBackend(
            kind: .secrets,
            paths: entityPaths() + entityListPaths() + entityAliasPaths() + groupPaths() + groupAliasPaths()
                + oidcPaths() + lookupPaths(),
            help: "The identity store: entities, aliases, groups and group aliases.")
    }

    var identity: IdentityStore {
        get throws { try core.unsealed().identity }
    }

    /// Whether the client sent `name` at all: Vault reads a JSON `null` member list as an empty one.
    static func sent(_ fields: FieldData, _ name: String) -> Bool { fields.raw.keys.contains(name) }

    static func optionalString(_ fields: FieldData, _ name: String) throws -> String? {
        fields.has(name) ? try fields.string(name) : nil
    }

    static func metadata(_ fields: FieldData, _ name: String = "metadata") throws -> [String: String]? {
        guard fields.has(name) else { return nil }
        do {
            return try fields.keyPairs(name)
        } catch let error as LogicalError {
            throw LogicalError.badRequest("failed to parse \(name): \(error.messages.joined(separator: ", "))")
        }
    }

    /// The mount a `mount_accessor` names; Vault's 400 when none does.
    func mount(accessor: String) throws -> MountEntry {
        guard !accessor.isEmpty, let route = core.router.route(accessor: accessor) else {
            throw LogicalError.badRequest("invalid mount accessor \"\(accessor)\"")
        }
        return route.mount
    }

    /// A list answer with `key_info`, or nil (404) when empty.
    static func list(_ keys: [String], info: [String: JSONValue]) -> LogicalResponse? {
        keys.isEmpty ? nil : LogicalResponse(data: ["keys": .strings(keys), "key_info": .object(info)])
    }

    func entityData(_ entity: Entity) async throws -> LogicalResponse {
        LogicalResponse(data: entity.info(inheritedGroupIDs: try await identity.inheritedGroupIDs(entity)))
    }
}
