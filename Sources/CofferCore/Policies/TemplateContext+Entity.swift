import CofferPolicy

extension TemplateContext {
    /// The templating facts of an entity (its id, name, metadata and aliases per mount).
    init(entity: Entity) {
        var aliases: [String: TemplateContext.Alias] = [:]
        for alias in entity.aliases {
            aliases[alias.mountAccessor] = TemplateContext.Alias(
                id: alias.id, name: alias.name, metadata: alias.metadata)
        }
        self.init(entityID: entity.id, entityName: entity.name, entityMetadata: entity.metadata, aliases: aliases)
    }
}
