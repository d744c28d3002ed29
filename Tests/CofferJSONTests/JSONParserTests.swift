import CofferJSON
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let text =
            #"{"s":"a\"b\\c\/d\u00e9\ud83d\ude00","i":-12,"d":2.5e1,"z":0,"t":true,"f":false,"n":null,"a":[],"o":{}}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(
            value == [
                "s": "a\"b\\c/dé😀", "i": -12, "d": .double(25), "z": 0, "t": true, "f": false, "n": nil, "a": [],
                "o": [:],
            ])
        #expect(try JSONParser.parse(Array(" [1 , \"x\" ] ".utf8)) == [1, "x"])
        #expect(try JSONParser.parse(Array("9223372036854775808".utf8)) == .double(9_223_372_036_854_775_808))
    }

    @Test func rejectsInvalidJSON() {
        for bad in [
            "", "{", "{\"a\"}", "[1,]", "01", "1.", "\"\\x\"", "tru", "{\"a\":1}x", "\"\u{01}\"", "\"\\udc00\"", "-",
        ] {
            #expect(throws: JSONParser.SyntaxError.self, "\(bad)") { try JSONParser.parse(Array(bad.utf8)) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test func roundTripsThroughTheSerializer() throws {
        let value: JSONValue = ["k": ["nested": [1, 2, "three", nil, true]], "unicode": "é\n\t<>&"]
        #expect(try JSONParser.parse(value.serialized()) == value)
    }
}
