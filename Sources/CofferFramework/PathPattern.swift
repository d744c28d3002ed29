/// A backend path pattern, anchored at both ends, with named captures.
///
/// - `{name}` captures one non-empty segment (no `/`);
/// - `{name*}` captures the rest of the path, possibly empty, `/` included (Vault's `MatchAllRegex`);
/// - a trailing `/?` makes the final slash optional.
///
/// ```swift
/// let pattern = PathPattern("role/{name}")
/// pattern.match("role/dev")        // ["name": "dev"]
/// PathPattern("data/{path*}").match("data/a/b")   // ["path": "a/b"]
/// PathPattern("role/?").match("role")             // [:]
/// ```
public struct PathPattern: Sendable, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case literal(String)
        case segment(String)
        case rest(String)
    }

    let parts: [Part]
    let optionalTrailingSlash: Bool
    public let description: String

    public init(_ pattern: String) {
        description = pattern
        var text = pattern
        if text.hasSuffix("/?") {
            optionalTrailingSlash = true
            text.removeLast(2)
        } else {
            optionalTrailingSlash = false
        }
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if char == "{", let close = text[index...].firstIndex(of: "}") {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                let name = String(text[text.index(after: index)..<close])
                if name.hasSuffix("*") {
                    parts.append(.rest(String(name.dropLast())))
                } else {
                    parts.append(.segment(name))
                }
                index = text.index(after: close)
            } else {
                literal.append(char)
                index = text.index(after: index)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// Names of the captures, in order.
    public var captureNames: [String] {
        parts.compactMap {
            switch $0 {
            case .segment(let name), .rest(let name): return name
            case .literal: return nil
            }
        }
    }

    /// The captures when `path` matches, else `nil`.
    public func match(_ path: String) -> [String: String]? {
        var path = Substring(path)
        if optionalTrailingSlash, path.hasSuffix("/") { path = path.dropLast() }
        var captures: [String: String] = [:]
        for (offset, part) in parts.enumerated() {
            switch part {
            case .literal(let literal):
                // UTF-8 views: byte-exact like Vault, and no grapheme walking on every request.
                guard path.utf8.starts(with: literal.utf8) else { return nil }
                path = Substring(path.utf8.dropFirst(literal.utf8.count))
            case .segment(let name):
                let end = path.utf8.firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
                guard end > path.startIndex else { return nil }
                captures[name] = String(path[..<end])
                path = path[end...]
            case .rest(let name):
                // A rest capture followed by more literal text takes the shortest match that lets it end there.
                if offset == parts.count - 1 {
                    captures[name] = String(path)
                    path = path[path.endIndex...]
                } else if case .literal(let next) = parts[offset + 1], let range = path.range(of: next) {
                    captures[name] = String(path[..<range.lowerBound])
                    path = path[range.lowerBound...]
                } else {
                    return nil
                }
            }
        }
        return path.isEmpty ? captures : nil
    }

    /// The OpenAPI form, e.g. `/role/{name}`.
    public var openAPIPath: String {
        var out = "/"
        for part in parts {
            switch part {
            case .literal(let literal): out += literal
            case .segment(let name), .rest(let name): out += "{\(name)}"
            }
        }
        return out
    }
}
