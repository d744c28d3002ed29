/// The identity facts a templated policy path (`{{identity.entity.id}}` …) is resolved against.
/// A token without an entity has no context (`nil`); then every templated block is skipped.
///
/// ```swift
/// let context = TemplateContext(
///     entityID: "5f1c…", entityName: "alice", entityMetadata: ["team": "ops"],
///     aliases: ["auth_azure_1234": .init(name: "alice@corp", metadata: ["role": "dev"])],
///     groups: [.init(id: "g-1", name: "admins")])
/// let acl = ACL(policies: policies, context: context)
/// ```
public struct TemplateContext: Sendable, Equatable {
    public struct Alias: Sendable, Equatable {
        public var id: String
        public var name: String
        public var metadata: [String: String]

        public init(id: String = "", name: String, metadata: [String: String] = [:]) {
            self.id = id
            self.name = name
            self.metadata = metadata
        }
    }

    public struct Group: Sendable, Equatable {
        public var id: String
        public var name: String
        public var metadata: [String: String]

        public init(id: String, name: String, metadata: [String: String] = [:]) {
            self.id = id
            self.name = name
            self.metadata = metadata
        }
    }

    public var entityID: String
    public var entityName: String
    public var entityMetadata: [String: String]
    /// The entity's aliases keyed by the mount accessor of their auth method.
    public var aliases: [String: Alias]
    /// Groups the entity belongs to (directly or inherited).
    public var groups: [Group]

    public init(
        entityID: String, entityName: String = "", entityMetadata: [String: String] = [:],
        aliases: [String: Alias] = [:], groups: [Group] = []
    ) {
        self.entityID = entityID
        self.entityName = entityName
        self.entityMetadata = entityMetadata
        self.aliases = aliases
        self.groups = groups
    }

    public var groupIDsToNames: [String: String] {
        Dictionary(groups.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    public var groupNamesToIDs: [String: String] {
        Dictionary(groups.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
    }
}
