import CofferConfig
import Testing

/// Syntax errors name file and line; hostile files (deep nesting, huge numbers, unterminated strings,
/// arbitrary bytes) are refused, never crash the server.
@Suite struct ConfigSyntaxTests {
    private func refusal(_ text: String, file: String = "config.hcl") -> String? {
        do {
            _ = try ServerConfiguration.parse(text, file: file)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        ("storage \"sqlite\" {\n  path = \"/tmp/x\n}", "config.hcl:2: unterminated string"),
        ("storage \"sqlite\" {\n  path = \"x\"\n", #"config.hcl:3: the "{" opened on line 1 is never closed"#),
        ("a = 1\n}", #"config.hcl:2: unexpected "}""#),
        ("a = 1\n/* open\n\n", "config.hcl:2: unterminated /* comment"),
        ("a = <<EOF\nline\n", "config.hcl:1: unterminated heredoc (no line reading EOF)"),
        ("a = <<\nx\n", #"config.hcl:1: a heredoc needs a marker word after "<<""#),
        ("\n\na = \"\\q\"", #"config.hcl:3: unknown escape "\q" in a string"#),
        ("a = \"\\ud800\"", #"config.hcl:1: invalid \u escape in a string"#),
        ("a = nope", #"config.hcl:1: unexpected word "nope" (put strings in quotes)"#),
        ("a \"label\" = 1", #"config.hcl:1: expected "{" after "a", found "=""#),
        ("a = [1, 2", #"config.hcl:1: the "[" opened on line 1 is never closed"#),
        ("a = [1 2]", #"config.hcl:1: expected "," or "]" in a list, found the number 2"#),
        ("= 1", #"config.hcl:1: expected a key, found "=""#),
        ("a = @", #"config.hcl:1: unexpected character "@""#),
        ("a = \u{1}", #"config.hcl:1: unexpected character "\x1""#),
    ])
    func hclSyntaxErrorsNameTheLine(text: String, message: String) {
        #expect(refusal(text) == message)
    }

    @Test(arguments: [
        ("{\"storage\": {\"inmem\": {}},\n \"api_addr\": }", "c.json:2: expected a JSON value, found \"}\""),
        ("{\"a\": 1,}", "c.json:1: expected a quoted key, found \"}\""),
        ("{\"a\" 1}", "c.json:1: expected \":\" after \"a\", found the number 1"),
        ("{\"a\": 1} x", "c.json:1: unexpected \"x\" after the JSON object"),
        ("{\"a\": \"open", "c.json:1: unterminated string"),
        ("{\"a\": [1,\n\n", "c.json:3: expected a JSON value, found the end of the file"),
    ])
    func jsonSyntaxErrorsNameTheLine(text: String, message: String) {
        #expect(refusal(text, file: "c.json") == message)
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let hcl = "a = " + String(repeating: "[", count: 100_000)
        #expect(refusal(hcl) == "config.hcl:1: nested more than 32 levels deep")
        let blocks = String(repeating: "a {\n", count: 50_000)
        #expect(refusal(blocks) == "config.hcl:33: nested more than 32 levels deep")
        let json = String(repeating: "{\"a\":", count: 100_000)
        #expect(refusal(json, file: "c.json") == "c.json:1: nested more than 32 levels deep")
        let labels = "a" + String(repeating: " \"l\"", count: 10_000) + " {}"
        #expect(refusal(labels) == #"config.hcl:1: expected "{" after "a", found a string"#)
    }

    @Test func hugeNumbersAreRefusedByTheKeyThatReadsThem() {
        let base = "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\n"
        #expect(
            refusal(base + "default_lease_ttl = " + String(repeating: "9", count: 5000))
                == "config.hcl:3: default_lease_ttl must be a duration greater than zero")
        #expect(
            refusal(base + "default_lease_ttl = 1e400")
                == "config.hcl:3: default_lease_ttl must be a duration greater than zero")
        #expect(
            refusal(base + "max_lease_ttl = -9223372036854775808")
                == "config.hcl:3: max_lease_ttl must be a duration greater than zero")
    }

    /// Arbitrary bytes, and every prefix of a real file, only ever produce an error or a configuration.
    @Test func arbitraryInputNeverCrashes() {
        var generator = SplitMix(seed: 12)
        let alphabet = Array("{}[]=:,\"\\<-#/*\n abc019.eE+tcp listener storage true EOF u".utf8) + [0x00, 0xFF]
        for round in 0..<3000 {
            let length = Int(generator.next() % 64)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            _ = try? ServerConfiguration.parse([(round % 2 == 0 ? "f.hcl" : "f.json", bytes)])
        }
        let real = Array(ServerConfigurationTests.everyKeyHCL.utf8)
        for end in 0...real.count { _ = try? ServerConfiguration.parse([("f.hcl", Array(real[..<end]))]) }
        let json = Array(ServerConfigurationTests.everyKeyJSON.utf8)
        for end in 0...json.count { _ = try? ServerConfiguration.parse([("f.json", Array(json[..<end]))]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.parse([("f.hcl", Array(real.dropLast(3)))]) }
    }
}

/// A small deterministic generator, so a failing input can be reproduced from the seed.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
