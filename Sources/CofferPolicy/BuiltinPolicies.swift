/// Policies Vault creates itself.
///
/// ```swift
/// let defaultPolicy = try Policy.parse(name: "default", text: BuiltinPolicies.defaultPolicyText)
/// ```
public enum BuiltinPolicies {
    /// Names that exist implicitly or are reserved for Vault's own use.
    public static let rootName = "root"
    public static let defaultName = "default"
    public static let reservedNames: Set<String> = ["response-wrapping", "control-group"]

    /// The `default` policy written at initialisation: the same paths and capabilities as Vault 1.14's.
    public static let defaultPolicyText = """
        # Every token may inspect, renew and revoke itself.
        path "auth/token/lookup-self" {
            capabilities = ["read"]
        }

        path "auth/token/renew-self" {
            capabilities = ["update"]
        }

        path "auth/token/revoke-self" {
            capabilities = ["update"]
        }

        # Ask which capabilities the token has on given paths.
        path "sys/capabilities-self" {
            capabilities = ["update"]
        }

        # Read the token's own identity entity, by id or by name.
        path "identity/entity/id/{{identity.entity.id}}" {
            capabilities = ["read"]
        }

        path "identity/entity/name/{{identity.entity.name}}" {
            capabilities = ["read"]
        }

        # The combined ACL of the token, used by the web UI.
        path "sys/internal/ui/resultant-acl" {
            capabilities = ["read"]
        }

        # Lease renewal (old and new paths) and lease lookup by id.
        path "sys/renew" {
            capabilities = ["update"]
        }

        path "sys/leases/renew" {
            capabilities = ["update"]
        }

        path "sys/leases/lookup" {
            capabilities = ["update"]
        }

        # The token's private cubbyhole.
        path "cubbyhole/*" {
            capabilities = ["create", "read", "update", "delete", "list"]
        }

        # Response wrapping: wrap, inspect and unwrap.
        path "sys/wrapping/wrap" {
            capabilities = ["update"]
        }

        path "sys/wrapping/lookup" {
            capabilities = ["update"]
        }

        path "sys/wrapping/unwrap" {
            capabilities = ["update"]
        }

        # Hashing helpers.
        path "sys/tools/hash" {
            capabilities = ["update"]
        }

        path "sys/tools/hash/*" {
            capabilities = ["update"]
        }

        # Check on a control group request.
        path "sys/control-group/request" {
            capabilities = ["update"]
        }

        # OIDC provider authorization endpoint.
        path "identity/oidc/provider/+/authorize" {
            capabilities = ["read", "update"]
        }

        """
}
