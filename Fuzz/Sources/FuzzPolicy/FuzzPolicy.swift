import CofferJSON
import FuzzSupport

@testable import CofferPolicy

// Input: a policy document, HCL or JSON (or either in standard base64, which `Policy.parse` decodes first).
// Goes through the public entry point `Policy.parse`, then straight into both syntax parsers whatever the
// first byte (so the JSON parser also sees documents that do not start with `{`), and a policy that parses
// is compiled into an ACL and asked about its own paths, which walks the prefix trie and segment rules.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let bytes = input.rest()
    let text = String(decoding: bytes, as: UTF8.self)

    var hcl = HCLParser(bytes: bytes)
    _ = try? hcl.parseDocument()
    var json = JSONPolicyParser(bytes: bytes)
    _ = try? json.parseDocument()

    let policy: Policy
    do {
        policy = try Policy.parse(name: "fuzz", text: text)
    } catch {
        fuzzCheck(error.message.hasPrefix("failed to parse policy: "), "unexpected error text: \(error.message)")
        return 0
    }
    let acl = ACL(policies: [policy])
    for path in policy.paths.prefix(8) {
        for operation in [ACLOperation.read, .list, .update] {
            _ = acl.evaluate(operation, path: path, data: ["a": .string(path)])
        }
    }
    return 0
}
