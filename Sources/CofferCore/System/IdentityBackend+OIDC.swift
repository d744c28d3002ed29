import CofferFramework
import Foundation

/// `identity/`: read entities (and set their policies) — the minimum docs/identity.md describes.
struct IdentityBackend: Sendable {
    let core: Core

    var backend: FrameworkBackend {
        FrameworkBackend(
            kind: .secrets, paths: entityPaths() + oidcPaths() + lookupPaths(),
            help: "The identity store: entities and aliases.")
    }

    static var entityFields: [String: FieldSchema] {
        [
            "id": FieldSchema(.string, description: "Entity ID"),
            "name": FieldSchema(.string, description: "Entity name"),
            "policies": FieldSchema(.commaStringSlice, description: "Policies of the entity"),
            "metadata": FieldSchema(.keyPairs, description: "Metadata"),
            "disabled": FieldSchema(.bool, description: "Disable the entity"),
            "alias_id": FieldSchema(.string, description: "Alias ID"),
            "alias_name": FieldSchema(.string, description: "Alias name"),
            "alias_mount_accessor": FieldSchema(.string, description: "Alias mount accessor"),
        ]
    }

    /// Listing, reading and updating entities by id or name.
    func entityPaths() -> [PathDefinition] {
        let entityFields = Self.entityFields
        return [
            PathDefinition(
                "entity/id/?",
                operations: [
                    .list: PathOperation("List entity ids") { _, _ in
                        .list(try await core.unsealed().identity.entityIDs())
                    }
                ], synopsis: "List entities"),
            PathDefinition(
                "entity/id/{id}", fields: entityFields,
                operations: [
                    .read: PathOperation("Read an entity") { _, fields in
                        try await core.unsealed().identity.entity(id: fields.string("id")).map {
                            LogicalResponse(data: $0.info())
                        }
                    },
                    .update: PathOperation("Update an entity") { _, fields in
                        try await update(fields, id: fields.string("id"))
                    },
                ], synopsis: "Read or update an entity by id"),
            PathDefinition(
                "entity/name/{name}", fields: entityFields,
                operations: [
                    .read: PathOperation("Read an entity by name") { _, fields in
                        try await core.unsealed().identity.entity(name: fields.string("name")).map {
                            LogicalResponse(data: $0.info())
                        }
                    }
                ], synopsis: "Read an entity by name"),
        ]
    }

    /// The issuer of plugin identity tokens and its unauthenticated OIDC discovery documents.
    func oidcPaths() -> [PathDefinition] {
        [
            PathDefinition(
                "oidc/config",
                fields: ["issuer": FieldSchema(.string, description: "Externally reachable base URL")],
                operations: [
                    .read: PathOperation("Read the OIDC issuer configuration") { _, _ in
                        let issuer = try core.unsealed().pluginIssuer
                        return LogicalResponse(data: ["issuer": .string(issuer.configuredIssuer)])
                    },
                    .update: PathOperation("Set the OIDC issuer") { _, fields in
                        try await core.unsealed().pluginIssuer.setIssuer(fields.string("issuer"))
                        return nil
                    },
                ], synopsis: "The issuer of identity tokens (plugin workload identity federation)"),
            PathDefinition(
                "oidc/plugins/.well-known/openid-configuration",
                operations: [
                    .read: PathOperation("OIDC discovery of plugin identity tokens") { _, _ in
                        .raw(try core.unsealed().pluginIssuer.discoveryDocument())
                    }
                ], synopsis: "OIDC discovery document of plugin identity tokens", unauthenticated: true),
            PathDefinition(
                "oidc/plugins/.well-known/keys",
                operations: [
                    .read: PathOperation("Keys of plugin identity tokens") { _, _ in
                        .raw(try await core.unsealed().pluginIssuer.jwks())
                    }
                ], synopsis: "JWKS of plugin identity tokens", unauthenticated: true),
        ]
    }

    /// Looking an entity up by id or name in the request body.
    func lookupPaths() -> [PathDefinition] {
        let entityFields = Self.entityFields
        return [
            PathDefinition(
                "lookup/entity", fields: entityFields,
                operations: [
                    .update: PathOperation("Look up an entity") { _, fields in
                        let identity = try core.unsealed().identity
                        if fields.has("id") {
                            return try await identity.entity(id: fields.string("id")).map {
                                LogicalResponse(data: $0.info())
                            }
                        }
                        if fields.has("name") {
                            return try await identity.entity(name: fields.string("name")).map {
                                LogicalResponse(data: $0.info())
                            }
                        }
                        throw LogicalError.badRequest("missing entity id or name")
                    }
                ], synopsis: "Look up an entity")
        ]
    }

    func update(_ fields: FieldData, id: String) async throws -> LogicalResponse? {
        let identity = try core.unsealed().identity
        guard var entity = try await identity.entity(id: id) else { throw LogicalError.badRequest("entity not found") }
        if fields.has("policies") {
            let requested = try fields.stringSlice("policies")
            // Only a token's own policy list may grant root; identity policies are added to many tokens at once.
            if requested.contains(where: { $0.trimmedWhitespace.lowercased() == "root" }) {
                throw LogicalError.badRequest("policies cannot contain root")
            }
            entity.policies = Core.sanitizePolicies(requested, addDefault: false)
        }
        if fields.has("metadata") { entity.metadata = try fields.keyPairs("metadata") }
        if fields.has("disabled") { entity.disabled = try fields.bool("disabled") }
        entity.lastUpdateTime = RFC3339.string(Date())
        try await identity.save(entity)
        return nil
    }
}
