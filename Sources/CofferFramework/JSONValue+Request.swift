@_exported import CofferJSON

extension JSONValue {
    /// Parses a request body that must be a JSON object; `null` and an empty body give `nil`.
    /// Throws ``LogicalError`` `error parsing JSON` for anything else.
    public static func parseObject(_ bytes: some Collection<UInt8>) throws -> [String: JSONValue]? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(bytes))
        } catch {
            throw LogicalError.badRequest("error parsing JSON")
        }
        switch value {
        case .null: return nil
        case .object(let object): return object
        default: throw LogicalError.badRequest("error parsing JSON")
        }
    }
}
