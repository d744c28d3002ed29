import CofferFramework
import Foundation

extension IdentityBackend {
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
}
