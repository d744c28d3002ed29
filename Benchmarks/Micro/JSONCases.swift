import CofferJSON
import Foundation

/// The JSON parser and writers beside Foundation's `JSONSerialization`, on documents shaped like Coffer's
/// traffic: a KV write body, a token lookup answer and a long `LIST` answer.
///
/// ```swift
/// let pairs = try JSONCases.pairs()   // parse ×3, serialise ×3, stream a token entry
/// ```
enum JSONCases {
    static let kvWrite =
        #"{"data":{"user":"app","password":"correct horse battery staple","port":5432},"options":{"cas":3}}"#

    static let tokenLookup = """
        {"request_id":"5f1c3a52-8e0b-4c52-9d4f-0d8f5a7b8e11","lease_id":"","renewable":false,"lease_duration":0,\
        "data":{"accessor":"8609694a-cdbc-db9b-d345-e782dbb562ed","creation_time":1733486400,"creation_ttl":2764800,\
        "display_name":"azure-vm-role","entity_id":"7d2e3bb5-4f4e-4a5a-8c3f-6c3d2b1a0e9f","expire_time":"2026-12-06T20:00:00.123456789Z",\
        "explicit_max_ttl":0,"id":"hvs.CAESIJ3q8yQ","issue_time":"2026-12-06T19:00:00.123456789Z",\
        "meta":{"role":"vm-role","subscription_id":"00000000-0000-0000-0000-000000000001","resource_group_name":"rg-vault",\
        "vm_name":"vm-app-01"},"num_uses":0,"orphan":true,"path":"auth/azure/login","policies":["default","vm-app"],\
        "renewable":true,"ttl":3599,"type":"service"},"wrap_info":null,"warnings":null,"auth":null}
        """

    static let longList: String = {
        let keys = (0..<500).map { "\"app-\($0)/\"" }.joined(separator: ",")
        return #"{"request_id":"0b5d","lease_id":"","renewable":false,"lease_duration":0,"data":{"keys":["#
            + keys + #"]},"wrap_info":null,"warnings":null,"auth":null}"#
    }()

    static func pairs() throws -> [BenchmarkPair] {
        let documents = [("KV write body", kvWrite), ("token lookup", tokenLookup), ("500-key LIST", longList)]
        var pairs: [BenchmarkPair] = []
        for (name, text) in documents {
            let bytes = Array(text.utf8)
            let data = Data(bytes)
            pairs.append(
                BenchmarkPair(
                    name: "parse: \(name) (\(bytes.count) B)",
                    ours: .init("JSONParser.parse") { try members(JSONParser.parse(bytes)) },
                    baseline: .init("JSONSerialization.jsonObject") {
                        (try JSONSerialization.jsonObject(with: data) as? [String: Any])?.count ?? -1
                    }))
        }
        for (name, text) in documents {
            let value = try JSONParser.parse(Array(text.utf8))
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
            // Sorted keys and unescaped slashes: the output Vault clients see, which Coffer writes.
            let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
            pairs.append(
                BenchmarkPair(
                    name: "serialise: \(name)",
                    ours: .init("JSONValue.serialized") { value.serialized().count },
                    baseline: .init("JSONSerialization.data") {
                        try JSONSerialization.data(withJSONObject: object, options: options).count
                    }, agree: false))
        }
        pairs.append(tokenEntryPair())
        return pairs
    }

    private static func members(_ value: JSONValue) -> Int { value.objectValue?.count ?? -1 }

    /// The claim in the token store: streaming an entry with `JSONWriter` beats building a `JSONValue` tree
    /// and serialising it.
    private static func tokenEntryPair() -> BenchmarkPair {
        let policies = ["default", "vm-app"]
        let meta = ["role": "vm-role", "vm_name": "vm-app-01"]
        return BenchmarkPair(
            name: "token entry (11 fields)",
            ours: .init("JSONWriter, streamed") {
                var writer = JSONWriter(capacity: 512)
                writer.beginObject()
                writer.member("id", "5f1c3a52d8e0b4c529d4f0d8f5a7b8e11")
                writer.member("accessor", "8609694a-cdbc-db9b-d345-e782dbb562ed")
                writer.member("parent", "")
                writer.member("policies", policies)
                writer.member("path", "auth/azure/login")
                writer.member("meta", meta)
                writer.member("display_name", "azure-vm-role")
                writer.member("creation_time", Int64(1_733_486_400))
                writer.member("ttl", Int64(3600))
                writer.member("type", "service")
                writer.member("entity_id", "7d2e3bb5-4f4e-4a5a-8c3f-6c3d2b1a0e9f")
                writer.endObject()
                return writer.bytes.count
            },
            baseline: .init("JSONValue tree, then serialized") {
                let tree: JSONValue = [
                    "id": "5f1c3a52d8e0b4c529d4f0d8f5a7b8e11", "accessor": "8609694a-cdbc-db9b-d345-e782dbb562ed",
                    "parent": "", "policies": .strings(policies), "path": "auth/azure/login",
                    "meta": .stringMap(meta), "display_name": "azure-vm-role", "creation_time": 1_733_486_400,
                    "ttl": 3600, "type": "service", "entity_id": "7d2e3bb5-4f4e-4a5a-8c3f-6c3d2b1a0e9f",
                ]
                return tree.serialized().count
            })
    }
}
