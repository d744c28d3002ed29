import CofferJSON
import Testing

@Suite struct JSONObjectReaderTests {
    let reader = JSONObjectReader([
        "name": "n", "ttl": 60, "whole": .double(30), "half": .double(1.5), "on": true, "list": ["a", "b"],
        "mixed": ["a", 1], "map": ["k": "v", "n": 1], "nested": ["inner": "x"],
    ])

    @Test func readsTypedMembers() throws {
        #expect(try reader.string("name") == "n")
        #expect(try reader.int("ttl") == 60)
        #expect(try reader.int("whole") == 30)
        #expect(try reader.double("half") == 1.5)
        #expect(try reader.bool("on"))
        #expect(try reader.strings("list") == ["a", "b"])
        #expect(reader.stringMap("map") == ["k": "v"])
        #expect(try reader.nested("nested").string("inner") == "x")
        #expect(reader.optionalString("absent") == nil)
        #expect(try reader.int("absent", default: 7) == 7)
        #expect(try reader.strings("absent", default: ["d"]) == ["d"])
        #expect(try reader.bool("absent", default: true))
        #expect(try reader.string("absent", default: "d") == "d")
    }

    @Test func errorsNameTheFailingMember() {
        #expect(throws: JSONObjectReader.Failure(key: "name", expected: "an integer")) { try reader.int("name") }
        #expect(throws: JSONObjectReader.Failure(key: "half", expected: "an integer")) { try reader.int("half") }
        #expect(throws: JSONObjectReader.Failure(key: "mixed", expected: "a list of strings")) {
            try reader.strings("mixed")
        }
        #expect(throws: JSONObjectReader.Failure(key: "absent", expected: "a string")) { try reader.string("absent") }
        // A default covers only an absent member, never one of the wrong type.
        #expect(throws: JSONObjectReader.Failure(key: "ttl", expected: "a boolean")) {
            try reader.bool("ttl", default: false)
        }
        #expect(throws: JSONObjectReader.Failure(key: "", expected: "an object")) { try JSONObjectReader(.int(1)) }
        let failure = JSONObjectReader.Failure(key: "ttl", expected: "an integer")
        #expect(failure.description == "stored record member \"ttl\" is not an integer")
    }
}
