import CofferClient

/// The body `vault auth enable` and `vault secrets enable` send to `sys/auth/<path>` and `sys/mounts/<path>`:
/// the same mount input, with the engine's `options` (KV's `version`) for secrets engines.
///
/// ```swift
/// let body = mountEnableBody(type: "kv", description: "", defaultLeaseTTL: "", maxLeaseTTL: "", local: false,
///                            sealWrap: false, options: ["version": "2"])
/// ```
func mountEnableBody(
    type: String, description: String, defaultLeaseTTL: String, maxLeaseTTL: String, local: Bool, sealWrap: Bool,
    options: JSONValue = nil
) -> JSONValue {
    [
        "type": .string(type),
        "description": .string(description),
        "config": [
            "options": nil, "default_lease_ttl": .string(defaultLeaseTTL), "max_lease_ttl": .string(maxLeaseTTL),
            "force_no_cache": false,
        ],
        "local": .bool(local), "seal_wrap": .bool(sealWrap), "external_entropy_access": false, "options": options,
    ]
}
