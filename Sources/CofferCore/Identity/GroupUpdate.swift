/// The fields of an `identity/group` write; nil leaves a field as it is. An empty member list clears it (hvac
/// sends `null` for members it was not given, which Vault reads as an empty list).
///
/// ```swift
/// let (group, created) = try await identity.upsertGroup(GroupUpdate(name: "team-a", type: "external",
///                                                                   policies: ["team-a"]))
/// ```
public struct GroupUpdate: Sendable {
    public var id: String?
    public var name: String?
    public var type: String?
    public var policies: [String]?
    public var metadata: [String: String]?
    public var memberEntityIDs: [String]?
    public var memberGroupIDs: [String]?

    public init(
        id: String? = nil, name: String? = nil, type: String? = nil, policies: [String]? = nil,
        metadata: [String: String]? = nil, memberEntityIDs: [String]? = nil, memberGroupIDs: [String]? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.policies = policies
        self.metadata = metadata
        self.memberEntityIDs = memberEntityIDs
        self.memberGroupIDs = memberGroupIDs
    }
}
