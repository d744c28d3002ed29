import CofferJSON
import Testing

/// `GoQuote` against what Go's `strconv.Quote` prints for the same input (outputs taken from Go's rules:
/// `appendQuotedWith` and `unicode.IsPrint`).
@Suite struct GoQuoteTests {
    @Test func matchesGoForEveryEscapeClass() {
        let table: [(String, String)] = [
            ("hello", #""hello""#),
            ("", #""""#),
            ("a\"b\\c", #""a\"b\\c""#),
            ("\u{07}\u{08}\u{0C}\n\r\t\u{0B}", #""\a\b\f\n\r\t\v""#),
            ("\u{00}\u{1F}\u{7F}", #""\x00\x1f\x7f""#),
            ("é日本😀 ~", #""é日本😀 ~""#),
            ("\u{85}", #""\u0085""#),
            ("nbsp\u{A0}", #""nbsp\u00a0""#),
            ("zero\u{200B}width", #""zero\u200bwidth""#),
            ("\u{2028}\u{2029}", #""\u2028\u2029""#),
            ("\u{FEFF}", #""\ufeff""#),
            ("\u{E000}", #""\ue000""#),
            ("\u{E0001}", #""\U000e0001""#),
            ("\u{10FFFF}", #""\U0010ffff""#),
            ("\u{FFFD}", "\"\u{FFFD}\""),
        ]
        for (input, expected) in table {
            #expect(GoQuote.quote(input) == expected, "\(Array(input.unicodeScalars))")
            #expect(GoQuote.quote(bytes: Array(input.utf8)) == expected)
        }
    }

    @Test func invalidUTF8BytesAreEscapedOneByOne() {
        let table: [([UInt8], String)] = [
            ([0x80], #""\x80""#),
            ([0x61, 0xFF, 0x62], #""a\xffb""#),
            ([0xED, 0xA0, 0x80], #""\xed\xa0\x80""#),  // an encoded surrogate
            ([0xC0, 0xAF], #""\xc0\xaf""#),  // overlong `/`
            ([0xE2, 0x82], #""\xe2\x82""#),  // truncated `€`
            ([0xF4, 0x90, 0x80, 0x80], #""\xf4\x90\x80\x80""#),  // past U+10FFFF
            ([0xE2, 0x82, 0xAC, 0xF0], "\"€\\xf0\""),
        ]
        for (input, expected) in table {
            #expect(GoQuote.quote(bytes: input) == expected, "\(input)")
        }
    }

    /// The four escapers this helper replaced each differed from Go somewhere; these are those places.
    @Test func casesWhereTheOldEscapersDiffered() {
        // The Azure verifier's quoted only `\` and `"`: a newline in an audience went out raw.
        #expect(GoQuote.quote("api://x\ny") == #""api://x\ny""#)
        // KV custom metadata wrote `\x07` where Go writes `\a` (likewise \b \f \v).
        #expect(GoQuote.quote("a\u{07}b\u{0B}") == #""a\ab\v""#)
        // The policy parser and the CLI kept non-ASCII unprintable runes as they were.
        #expect(GoQuote.quote("path\u{A0}") == #""path\u00a0""#)
        // The CLI also kept other ASCII controls raw.
        #expect(GoQuote.quote("key\u{01}") == #""key\x01""#)
    }

    @Test func printableFollowsGo() {
        #expect(GoQuote.isPrintable("héllo wörld € ✓ 😀"))
        #expect(!GoQuote.isPrintable("tab\there"))
        #expect(!GoQuote.isPrintable("nbsp\u{A0}"))
        #expect(!GoQuote.isPrintable("\u{200B}"))
        #expect(!GoQuote.isPrintable("\u{E000}"))
    }
}
