import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// Reading an audit file back: every line must be one complete JSON object.
///
/// ```swift
/// let (request, response) = try AuditLog(url: file).pair("secret/data/creds")
/// #expect(response["response"]?["mount_point"] == "secret/")
/// ```
struct AuditLog {
    let url: URL

    var text: String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    /// Every entry, in file order; a line that is not a whole JSON object fails the test.
    func entries(prefix: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: JSONValue]]
    {
        try text.split(separator: "\n").map { line in
            try #require(line.hasPrefix(prefix), sourceLocation: sourceLocation)
            let parsed = try JSONParser.parse(Array(line.dropFirst(prefix.count).utf8))
            return try #require(parsed.objectValue, sourceLocation: sourceLocation)
        }
    }

    /// The request and response entries of the request whose `request.path` is `path` (the last one if several).
    func pair(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> (request: [String: JSONValue], response: [String: JSONValue])
    {
        let matching = try entries().filter { $0["request"]?["path"]?.stringValue == path }
        let request = try #require(matching.last { $0["type"] == "request" }, sourceLocation: sourceLocation)
        let response = try #require(matching.last { $0["type"] == "response" }, sourceLocation: sourceLocation)
        return (request, response)
    }
}

extension CoreHarness {
    /// Enables a file device at `path` writing to `file`; the test fails if the enable does not answer 204.
    func enableFileAudit(
        _ path: String = "file", file: URL, options: [String: JSONValue] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = await request(
            .update, "sys/audit/\(path)",
            ["type": "file", "options": .object(["file_path": .string(file.path)].merging(options) { $1 })])
        try #require(response.status == 204, "\(response.text)", sourceLocation: sourceLocation)
    }

    func auditHash(_ input: String, device: String = "file") async -> String? {
        await request(.update, "sys/audit-hash/\(device)", ["input": .string(input)]).data["hash"]?.stringValue
    }
}
