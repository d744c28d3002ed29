import CofferFramework

/// The fields of an `identity/entity-alias` write; nil leaves a field as it is. `mount` is the mount the
/// request's `mount_accessor` names, resolved by the caller.
///
/// ```swift
/// let result = try await identity.upsertEntityAlias(EntityAliasUpdate(name: "bob", mount: userpass))
/// ```
public struct EntityAliasUpdate: Sendable {
    public var id: String?
    public var name: String?
    public var mount: MountEntry?
    public var canonicalID: String?
    public var customMetadata: [String: String]?

    public init(
        id: String? = nil, name: String? = nil, mount: MountEntry? = nil, canonicalID: String? = nil,
        customMetadata: [String: String]? = nil
    ) {
        self.id = id
        self.name = name
        self.mount = mount
        self.canonicalID = canonicalID
        self.customMetadata = customMetadata
    }
}
