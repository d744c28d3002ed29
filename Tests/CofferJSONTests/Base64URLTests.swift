import CofferJSON
import Foundation
import Testing

@Suite struct Base64URLTests {
    @Test func encodesWithoutPadding() {
        #expect(Base64URL.encode([UInt8]()) == "")
        #expect(Base64URL.encode(Array("f".utf8)) == "Zg")
        #expect(Base64URL.encode(Array("fo".utf8)) == "Zm8")
        #expect(Base64URL.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64URL.encode(Array("foob".utf8)) == "Zm9vYg")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFB, 0xEF, 0xBE]) == "----")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
    }

    @Test func decodesStrictly() {
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("-_8=") == [0xFB, 0xFF])
        #expect(Base64URL.decode("Zg==") == Array("f".utf8))
        #expect(Base64URL.decode("Zm9vYg") == Array("foob".utf8))
        #expect(Base64URL.decode("") == [])
        for bad in ["+/8", "aG=k", "a", "aGk*", "aGk\n", " aGk", "Zg=", "Zg===", "Zm9=v", "====", "Zm9vY"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
    }

    /// JWT parts are slices of the token's bytes; they are decoded in place, and other collections through a copy.
    @Test func decodesSlicesAndOtherCollections() {
        let token = Array("eyJhIjoxfQ.Zm9vYg.-_8".utf8)
        #expect(Base64URL.decode(bytes: token[11..<17]) == Array("foob".utf8))
        #expect(Base64URL.decode(bytes: token[18...]) == [0xFB, 0xFF])
        #expect(Base64URL.decode(bytes: token[0..<10]) == Array("{\"a\":1}".utf8))
        #expect(Base64URL.decode(bytes: Array("gYv9mZ".utf8).reversed()) == Array("foob".utf8))
        // A character outside the alphabet in a whole quad or in the final partial one.
        for bad in ["Zm.vYg", "Zm9vY.", "Zm9vYg*", "Zm9v\u{00}g"] {
            let bytes = Array(("x." + bad).utf8)
            #expect(Base64URL.decode(bytes: bytes[2...]) == nil, "\(bad)")
        }
    }

    @Test func roundTripsEveryLength() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(
                text
                    == Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
            #expect(Base64URL.decode(text) == bytes)
        }
    }
}

/// Go's `base64.StdEncoding.DecodeString` rules, which policy text submitted as base64 goes through.
@Suite struct StandardBase64Tests {
    @Test func decodesAsGoDoes() {
        #expect(StandardBase64.decode("cGF0aA==") == Array("path".utf8))
        #expect(StandardBase64.decode("cGF0\r\naA==") == Array("path".utf8))
        #expect(StandardBase64.decode("Zm9v") == Array("foo".utf8))
        #expect(StandardBase64.decode("+/8=") == [0xFB, 0xFF])
        #expect(StandardBase64.decode("") == [])
        for bad in ["path \"a\"", "cGF0aA", "cGF0aA=", "cGF0aA===", "cG=F0aA==", "-_8=", "Zg==Zg==", "Z==="] {
            #expect(StandardBase64.decode(bad) == nil, "\(bad)")
        }
    }
}
