import CofferPolicy
import Testing

/// Found by Fuzz/FuzzPolicy: both policy parsers recursed once per nesting level with no bound, so a policy
/// of ~16 KB of `[` (or a block with ~40,000 labels, or ~60 KB of JSON `[`) overflowed the stack and killed
/// the server. Nesting now stops at 512 levels with a parse error.
@Suite struct PolicyNestingTests {
    @Test func deeplyNestedHCLListsAreAParseError() {
        let prefix = "path \"a\" { capabilities = "
        let message = parseError(prefix + String(repeating: "[", count: 100_000))
        // The block is level 1, so the 512th `[` would be level 513: it is the one refused (columns count from 1).
        #expect(message == "failed to parse policy: At 1:\(prefix.count + 512): nesting deeper than 512 levels")
    }

    @Test func deeplyNestedHCLObjectsAreAParseError() {
        let message = parseError("path \"a\" " + String(repeating: "{ x ", count: 50_000))
        #expect(message?.hasSuffix(": nesting deeper than 512 levels") == true)
    }

    @Test func blocksWithThousandsOfLabelsAreAParseError() {
        // Each label past the first becomes one more object level when the block is decoded.
        let labels = String(repeating: "\"k\" ", count: 40_000)
        let message = parseError("path \"a\" { allowed_parameters \(labels){} }")
        #expect(message?.hasSuffix(": nesting deeper than 512 levels") == true)
    }

    @Test func deeplyNestedJSONPoliciesAreAParseError() {
        let prefix = "{\"path\": {\"a\": {\"capabilities\": "
        let message = parseError(prefix + String(repeating: "[", count: 100_000))
        // Three objects, then the 510th `[` would be level 513.
        #expect(message == "failed to parse policy: At 1:\(prefix.count + 510): nesting deeper than 512 levels")
    }

    @Test func nestingUpToTheLimitStillParses() throws {
        // `name` is not checked beyond being a known key, so any value nested 510 deep is accepted.
        let hcl = "name = " + String(repeating: "[", count: 510) + String(repeating: "]", count: 510)
        #expect(parseError(hcl + "\npath \"a\" { capabilities = [\"read\"] }") == nil)
        let json =
            "{\"name\": " + String(repeating: "[", count: 510) + String(repeating: "]", count: 510)
            + ", \"path\": {\"a\": {\"capabilities\": [\"read\"]}}}"
        let policy = try Policy.parse(name: "p", text: json)
        #expect(ACL(policies: [policy]).evaluate(.read, path: "a").allowed)
    }
}
