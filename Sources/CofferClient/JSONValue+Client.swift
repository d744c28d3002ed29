// The client speaks JSON through CofferJSON's one value type, parser and writer; re-exported so a program
// that imports CofferClient can build and read bodies without importing a second module.
@_exported import CofferJSON
import Foundation

extension JSONValue {
    /// Parses JSON text received from the server or a file. Throws ``VaultClientError/invalidJSON(_:)``
    /// when it is not JSON.
    ///
    /// ```swift
    /// let parsed = try JSONValue(parsing: bytes)
    /// let version = parsed["data"]?["metadata"]?["version"]?.intValue
    /// print(parsed.formatted(indent: "  "))   // Go `json.MarshalIndent` style
    /// ```
    public init(parsing data: Data) throws {
        do {
            self = try JSONParser.parse(Array(data))
        } catch {
            throw VaultClientError.invalidJSON(String(describing: error))
        }
    }
}
