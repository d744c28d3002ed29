import CofferJSON
import Testing

@Suite struct JSONNodeTests {
    @Test func keepsOrderRepeatedKeysAndOffsets() throws {
        let text = #"{"b": 1, "a": [true, "x"], "b": {"c": null}}"#
        let node = try JSONParser.parseDocument(Array(text.utf8))
        guard case .object(let members, let offset) = node else {
            Issue.record("not an object: \(node)")
            return
        }
        #expect(offset == 0)
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(members.map(\.colonOffset) == [4, 12, 30])
        #expect(members.map(\.value.offset) == [6, 14, 32])
        guard case .array(let elements, _) = members[1].value else {
            Issue.record("a is not an array")
            return
        }
        #expect(elements.map(\.offset) == [15, 21])
        if case .scalar(let value, _) = elements[1] { #expect(value == "x") } else { Issue.record("not a scalar") }
    }

    @Test func errorsSayWhatWasWrongAndWhere() {
        let cases: [(String, JSONParser.SyntaxError.Reason, Int)] = [
            (#"{"a" 1}"#, .expectedColon, 5),
            (#"{"a": 1 "b": 2}"#, .expectedCommaOrObjectEnd, 8),
            (#"[1 2]"#, .expectedCommaOrArrayEnd, 3),
            (#"{1: 2}"#, .expectedMemberName, 1),
            (#"{"a": "b"#, .unterminatedString, 6),
            ("{\"a\": \"b\nc\"}", .unterminatedString, 6),
            (#"{"a": "\q"}"#, .invalidEscape, 9),
            (#"{"a": 1.}"#, .invalidNumber, 8),
            (#"{"a": tru}"#, .invalidCharacter, 6),
            ("{\"a\": \"", .unterminatedString, 6),
            ("{\"a\": ", .unexpectedEnd, 6),
            (#"{} x"#, .trailingContent, 3),
            (String(repeating: "[", count: 600), .tooDeep, 512),
        ]
        for (text, reason, offset) in cases {
            do {
                _ = try JSONParser.parseDocument(Array(text.utf8))
                Issue.record("\(text) parsed")
            } catch let error as JSONParser.SyntaxError {
                #expect(error.reason == reason && error.offset == offset, "\(text): \(error.reason) at \(error.offset)")
            } catch {
                Issue.record("\(text): \(error)")
            }
        }
    }
}
