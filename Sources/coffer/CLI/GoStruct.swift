import CofferClient

/// A server object reshaped into one of the Go client's response structs before `-format=json` prints it: exactly
/// the struct's keys, in its order, absent ones at their zero value (what `OutputData` of a decoded struct shows).
///
/// ```swift
/// let text = GoStruct.render(body, fields: [("nonce", ""), ("started", false), ("progress", 0)])
/// // {"nonce": "…", "started": true, "progress": 1} with Go's two-space indentation
/// ```
enum GoStruct {
    static func render(_ object: [String: JSONValue], fields: [(String, JSONValue)]) -> String {
        var out: [String: JSONValue] = [:]
        for (key, zero) in fields { out[key] = object[key] ?? zero }
        return JSONValue.object(out).formatted(keyOrder: fields.map(\.0))
    }
}
