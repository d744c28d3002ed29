import CofferJSON
import FuzzSupport

// Input: a JSON document. Besides not crashing, parsing must agree with itself three ways:
// - writing a parsed value and parsing that again must reach a fixed point (what the server stores and
//   returns is read back as the same document);
// - `JSONParser.members` (the claim reader's lazy path) must accept exactly the objects `parse` accepts and
//   return the same members, the last one of repeated names;
// - a document that fails to parse must fail at an offset inside the input.

/// Member names the lazy reader is asked for: short ones the fuzzer can hit, plus JWT claim names.
let wantedNames = ["a", "b", "", "iss", "aud", "exp", "\u{e9}", "a\u{0}"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let bytes = input.rest()
    let parsed: JSONValue
    do {
        parsed = try JSONParser.parse(bytes)
    } catch let error as JSONParser.SyntaxError {
        fuzzCheck(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) of \(bytes.count)")
        checkMembersReject(bytes)
        return 0
    } catch {
        fuzzCheck(false, "parse threw \(error), not a SyntaxError")
        return 0
    }
    let written = parsed.serialized()
    guard let reparsed = try? JSONParser.parse(written) else {
        fuzzCheck(false, "serialized form does not parse: \(describe(written))\n input: \(describe(bytes))")
        return 0
    }
    fuzzCheck(
        reparsed.serialized() == written,
        "serialization is not a fixed point: \(describe(written)) -> \(describe(reparsed.serialized()))")
    checkMembers(bytes, parsed)
    return 0
}

/// `members` on a document `parse` accepted: objects give `parse`'s members, anything else is refused.
func checkMembers(_ bytes: [UInt8], _ parsed: JSONValue) {
    let members = try? JSONParser.members(wantedNames, of: bytes)
    guard case .object(let object) = parsed else {
        fuzzCheck(members == nil, "members accepted a non-object document: \(describe(bytes))")
        return
    }
    guard let members else {
        fuzzCheck(false, "members refused an object parse accepted: \(describe(bytes))")
        return
    }
    for (name, value) in zip(wantedNames, members) {
        fuzzCheck(
            value == object[name], "member \(name): \(String(describing: value)) vs \(String(describing: object[name]))"
        )
    }
}

/// `members` on a document `parse` refused must refuse it too.
func checkMembersReject(_ bytes: [UInt8]) {
    let members = try? JSONParser.members(wantedNames, of: bytes)
    fuzzCheck(members == nil, "members accepted a document parse refused: \(describe(bytes))")
}
