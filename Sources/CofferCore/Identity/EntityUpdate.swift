/// The fields of an entity write (`identity/entity`, `entity/id/<id>`, `entity/name/<name>`); nil leaves a field
/// as it is.
///
/// ```swift
/// let (entity, created) = try await identity.upsertEntity(EntityUpdate(name: "alice", policies: ["dev"]))
/// ```
public struct EntityUpdate: Sendable {
    public var id: String?
    public var name: String?
    public var metadata: [String: String]?
    public var policies: [String]?
    public var disabled: Bool?

    public init(
        id: String? = nil, name: String? = nil, metadata: [String: String]? = nil, policies: [String]? = nil,
        disabled: Bool? = nil
    ) {
        self.id = id
        self.name = name
        self.metadata = metadata
        self.policies = policies
        self.disabled = disabled
    }
}
