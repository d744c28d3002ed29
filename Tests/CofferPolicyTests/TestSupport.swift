import CofferPolicy

/// Builds an ACL from policy texts named `p0`, `p1`, …
func makeACL(_ texts: String..., context: TemplateContext? = nil) throws -> ACL {
    let policies = try texts.enumerated().map { index, text in try Policy.parse(name: "p\(index)", text: text) }
    return ACL(policies: policies, context: context)
}

/// The parse error message for `text`, or nil when it parses.
func parseError(_ text: String) -> String? {
    do {
        _ = try Policy.parse(name: "t", text: text)
        return nil
    } catch {
        return error.message
    }
}
