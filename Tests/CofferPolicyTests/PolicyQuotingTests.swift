import Testing

@testable import CofferPolicy

/// Policy errors quote with Go's `%q` (CofferJSON's `GoQuote`), and the JSON form's syntax errors keep HCL v1's
/// wording and positions now that CofferJSON parses it.
@Suite struct PolicyQuotingTests {
    @Test func unprintableRunesInErrorsAreEscapedAsGoEscapesThem() {
        // Before the shared quoting, a no-break space went out raw; Go writes `\u00a0`.
        #expect(
            parseError("path \"a\" { capabilities = [\"re\u{A0}ad\"] }")
                == #"failed to parse policy: path "a": invalid capability "re\u00a0ad""#)
        #expect(
            parseError("path \"a\" { capabilities = [\"re\u{7}ad\"] }")
                == #"failed to parse policy: path "a": invalid capability "re\aad""#)
    }

    @Test func jsonSyntaxErrorsKeepTheirWordingAndPosition() {
        #expect(parseError("{\"path\": {\"a\" {}}}") == "failed to parse policy: At 1:15: expected ':'")
        #expect(parseError("{\"path\": {}\n \"name\": 1}") == "failed to parse policy: At 2:2: expected ',' or '}'")
        #expect(parseError("{\"path\": [1 2]}") == "failed to parse policy: At 1:13: expected ',' or ']'")
        #expect(parseError("{\"path\": {, }}") == "failed to parse policy: At 1:11: expected object key string")
        #expect(parseError("{\"path\": \"é\n\"}") == "failed to parse policy: At 1:10: literal not terminated")
        #expect(parseError("{\"path\": ") == "failed to parse policy: At 1:10: unexpected end of input")
        #expect(parseError("{\"path\": {}} x") == "failed to parse policy: At 1:14: unexpected trailing content")
    }

    @Test func jsonKeysReportTheLineOfTheirColon() {
        #expect(
            parseError("{\n\"paths\"\n: {\"a\": {\"capabilities\": [\"read\"]}}}")
                == "failed to parse policy: 1 error occurred:\n\t* invalid key \"paths\" on line 3\n\n")
    }
}
