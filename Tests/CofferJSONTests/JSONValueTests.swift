import CofferJSON
import Testing

@Suite struct JSONValueTests {
    @Test func lineAndParagraphSeparatorsAreEscapedAsGoEscapesThem() throws {
        let value: JSONValue = "a\u{2028}b\u{2029}c\u{2027}€"
        #expect(String(decoding: value.serialized(), as: UTF8.self) == "\"a\\u2028b\\u2029c\u{2027}€\"")
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test func formattedFollowsGoMarshalIndent() throws {
        let parsed = try JSONParser.parse(Array(#"{"b":[1,2.5,true,null],"a":"<x>","c":{},"d":[]}"#.utf8))
        #expect(
            parsed.formatted()
                == "{\n  \"a\": \"\\u003cx\\u003e\",\n  \"b\": [\n    1,\n    2.5,\n    true,\n    null\n  ],\n  \"c\": {},\n  \"d\": []\n}"
        )
        #expect(JSONValue.object(["z": 1, "a": 2]).formatted(keyOrder: ["z"]) == "{\n  \"z\": 1,\n  \"a\": 2\n}")
        let nested: JSONValue = ["auth": ["b": 1, "a": 2], "x": ["b": 1, "a": 2]]
        #expect(
            nested.formatted(indent: " ", childKeyOrder: ["auth": ["b"]])
                == "{\n \"auth\": {\n  \"b\": 1,\n  \"a\": 2\n },\n \"x\": {\n  \"a\": 2,\n  \"b\": 1\n }\n}")
    }

    @Test func accessors() throws {
        let value: JSONValue = ["n": 3, "d": 3.0, "f": 2.5, "s": "x", "b": false, "l": ["a", 1, "b"]]
        #expect(value["n"]?.intValue == 3)
        #expect(value["d"]?.intValue == 3)
        #expect(value["f"]?.intValue == nil)
        #expect(value["f"]?.doubleValue == 2.5)
        #expect(value["n"]?.doubleValue == 3)
        #expect(value["b"]?.boolValue == false)
        #expect(value["l"]?.stringArray == ["a", "b"])
        #expect(value["s"]?["x"] == nil)
        #expect(JSONValue.double(1e300).intValue == nil)
        #expect(JSONValue.optional(nil) == .null)
        #expect(try JSONParser.parse(Array("[1]".utf8)[...]) == [1])
    }
}
