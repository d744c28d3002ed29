import CofferCore
import CofferFramework
import Testing

@Suite struct EnvelopeTests {
    /// The streamed envelope is byte for byte the sorted-key serialisation of the same object.
    @Test(arguments: [false, true])
    func envelopeMatchesTheSortedObjectForm(withWarnings: Bool) {
        let auth: [String: JSONValue] = ["client_token": "hvs.x", "policies": ["default"], "lease_duration": 60]
        let envelope = Envelope(
            requestID: "r-1", data: ["k": "<v>"], warnings: withWarnings ? ["w"] : [], auth: auth, mountType: "kv",
            injectDataAtTopLevel: false)
        let expected: JSONValue = [
            "request_id": "r-1", "lease_id": "", "renewable": false, "lease_duration": 0, "data": ["k": "<v>"],
            "wrap_info": nil, "warnings": withWarnings ? ["w"] : nil, "auth": .object(auth), "mount_type": "kv",
        ]
        #expect(envelope.serialized() == expected.serialized())
        let empty = Envelope(
            requestID: "r-2", data: nil, warnings: [], auth: nil, mountType: "", injectDataAtTopLevel: true)
        #expect(
            String(decoding: empty.serialized(), as: UTF8.self)
                == #"{"auth":null,"data":null,"lease_duration":0,"lease_id":"","mount_type":"","renewable":false,"request_id":"r-2","warnings":null,"wrap_info":null}"#
        )
    }

    @Test func dataAtTopLevelNeverOverridesEnvelopeKeys() throws {
        let envelope = Envelope(
            requestID: "r-3", data: ["keys": ["a"], "request_id": "spoof"], warnings: [], auth: nil, mountType: "",
            injectDataAtTopLevel: true)
        let object = try #require(try JSONParser.parse(envelope.serialized()).objectValue)
        #expect(object["request_id"] == "r-3")
        #expect(object["keys"] == ["a"])
    }
}
