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

@Suite struct JSONWriterTests {
    @Test func nestedDocumentsParseBackToTheSameValue() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("name", "a\"b\\c\n<&>é")
        writer.member("count", Int64.min)
        writer.member("max", Int64.max)
        writer.member("ratio", 2.5)
        writer.member("whole", 3.0)
        writer.member("on", true)
        writer.member("tags", ["x", "", "y"])
        writer.member("meta", ["z": "1", "a": "2"])
        writer.member("none", nil as [String: String]?)
        writer.key("empty")
        writer.beginArray()
        writer.endArray()
        writer.key("rows")
        writer.beginArray()
        for index in 0..<3 {
            writer.beginObject()
            writer.member("i", Int64(index))
            writer.endObject()
        }
        writer.null()
        writer.endArray()
        writer.key("value")
        writer.value(["k": [1, "two"]])
        writer.endObject()
        let expected: JSONValue = [
            "name": "a\"b\\c\n<&>é", "count": .int(Int64.min), "max": .int(Int64.max), "ratio": .double(2.5),
            "whole": 3, "on": true, "tags": ["x", "", "y"], "meta": ["z": "1", "a": "2"], "none": nil, "empty": [],
            "rows": [["i": 0], ["i": 1], ["i": 2], nil], "value": ["k": [1, "two"]],
        ]
        #expect(try JSONParser.parse(writer.bytes) == expected)
    }

    @Test func escapesLikeGoAndSortsMapKeys() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.string("<tag>&\u{01}\t")
        writer.stringMap(["b": "2", "a": "1"])
        writer.int(-42)
        writer.endArray()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self) == #"["\u003ctag\u003e\u0026\u0001\t",{"a":"1","b":"2"},-42]"#
        )
        #expect(JSONValue.object(["b": 1, "a": "x"]).serialized() == Array(#"{"a":"x","b":1}"#.utf8))
    }
}

@Suite struct JSONParserObjectTests {
    /// A repeated member keeps its last value, as Go's encoding/json does.
    @Test func repeatedMembersKeepTheLastValue() throws {
        #expect(try JSONParser.parse(Array(#"{"a":1,"b":2,"a":3}"#.utf8)) == ["a": 3, "b": 2])
        #expect(try JSONParser.parse(Array(#"{}"#.utf8)) == [:])
        #expect(try JSONParser.parse(Array(#"{"o":{"x":[{}]}}"#.utf8)) == ["o": ["x": [[:]]]])
    }
}

@Suite struct JSONParserMembersTests {
    /// Picking members gives what a full parse gives for those members, absent ones as nil.
    @Test func membersMatchTheFullParse() throws {
        let text = #"""
            {"iss":"https://sts/x/","aud":["a","b"],"skip":{"deep":[1,2,{"x":"\u00e9\"q"}],"e":1e5},
             "exp":1700000000.5,"n":null,"t":true,"f\u006fo":"escaped key","groups":[],"last":-0.25}
            """#
        let bytes = Array(text.utf8)
        let names = ["iss", "aud", "exp", "missing", "foo", "groups", "last", "n"]
        let full = try #require(try JSONParser.parse(bytes).objectValue)
        let picked = try JSONParser.members(names, of: bytes)
        for (name, value) in zip(names, picked) { #expect(value == full[name], "\(name)") }
        #expect(picked[3] == nil)
        #expect(try JSONParser.members(["a"], of: Array(#"{"a":1,"a":2}"#.utf8)) == [2])
        #expect(try JSONParser.members(["a"], of: Array(" {} ".utf8)) == [nil])
    }

    /// Skipped members are held to the same grammar as parsed ones.
    @Test func invalidSkippedMembersAreRefused() {
        for bad in [
            #"{"a":1,"b":[1,]}"#, #"{"b":"\x"}"#, #"{"b":"\udc00"}"#, #"{"b":tru}"#, #"{"b":01}"#, #"{"b":{"k"}}"#,
            #"{"b":"#, #"{"a":1}x"#, #"[1]"#, #""str""#, #"{"b":"a\#u{01}"}"#, "{\"k\u{01}\":1}",
        ] {
            #expect(throws: JSONParser.SyntaxError.self, "\(bad)") {
                try JSONParser.members(["a"], of: Array(bad.utf8))
            }
        }
        let deep = "{\"b\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.members(["a"], of: Array(deep.utf8)) }
    }
}
