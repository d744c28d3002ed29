import CofferClient
import Foundation

/// Turns `key=value` command arguments into a JSON object the way `vault write` does.
///
/// ```swift
/// try KeyValueArguments.parse(["password=s3cr3t", "cert=@ca.pem", "note=-"])
/// // ["password": "s3cr3t", "cert": "<file contents>", "note": "<stdin>"]
/// try KeyValueArguments.parse(["-"])      // a JSON object read from stdin
/// ```
/// Values are strings; a repeated key collects its values into a list. `@file` reads a file,
/// `-` as a value reads stdin, and a lone `-` argument merges a JSON object from stdin.
struct KeyValueArguments {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    private var readStdin: () -> Data
    private var stdinUsed = false

    init(readStdin: @escaping () -> Data = Console.readStandardInput) {
        self.readStdin = readStdin
    }

    static func parse(_ arguments: [String]) throws -> [String: JSONValue] {
        var parser = KeyValueArguments()
        return try parser.parse(arguments)
    }

    mutating func parse(_ arguments: [String]) throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for argument in arguments {
            if argument == "-" {
                for (key, value) in try stdinObject() { add(key, value, to: &result) }
                continue
            }
            guard let separator = argument.firstIndex(of: "=") else {
                throw ParseError(
                    description: "invalid key/value pair \(GoQuote.quote(argument)): format must be key=value")
            }
            let key = String(argument[..<separator])
            var value = String(argument[argument.index(after: separator)...])
            if value == "-" {
                value = String(decoding: try consumeStdin(), as: UTF8.self)
            } else if value.hasPrefix("@") {
                let path = String(value.dropFirst())
                guard let contents = FileManager.default.contents(atPath: path) else {
                    throw ParseError(description: "error reading file \(path): no such file or not readable")
                }
                value = String(decoding: contents, as: UTF8.self)
            }
            add(key, .string(value), to: &result)
        }
        return result
    }

    private func add(_ key: String, _ value: JSONValue, to result: inout [String: JSONValue]) {
        switch result[key] {
        case nil: result[key] = value
        case .array(let existing)?: result[key] = .array(existing + [value])
        case let existing?: result[key] = .array([existing, value])
        }
    }

    private mutating func consumeStdin() throws -> Data {
        guard !stdinUsed else { throw ParseError(description: "stdin already consumed") }
        stdinUsed = true
        return readStdin()
    }

    private mutating func stdinObject() throws -> [String: JSONValue] {
        let data = try consumeStdin()
        guard let object = (try? JSONValue(parsing: data))?.objectValue else {
            throw ParseError(description: "failed to parse JSON input from stdin: not a JSON object")
        }
        return object
    }
}

/// Vault's `sanitizePath`: no leading or trailing slashes, surrounding space trimmed.
func sanitizePath(_ path: String) -> String {
    var text = Substring(path.trimmed)
    while text.hasPrefix("/") { text.removeFirst() }
    while text.hasSuffix("/") { text.removeLast() }
    return String(text)
}

/// Go's `path.Join`: non-empty parts joined by `/`, repeated and trailing slashes removed.
func joinPath(_ parts: String...) -> String {
    let segments = parts.flatMap { $0.split(separator: "/", omittingEmptySubsequences: true) }
    let joined = segments.joined(separator: "/")
    return parts.first?.hasPrefix("/") == true ? "/" + joined : joined
}
