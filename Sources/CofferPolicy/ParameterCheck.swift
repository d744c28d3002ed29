import CofferJSON

/// Vault's request-parameter constraints (`required_parameters`, `denied_parameters`,
/// `allowed_parameters`), applied to read, create, update and patch requests.
///
/// ```swift
/// ParameterCheck.allows(["ttl": "1h"], permissions)   // false if "ttl" is denied
/// ```
enum ParameterCheck {
    static func allows(_ data: [String: JSONValue]?, _ permissions: Permissions) -> Bool {
        for parameter in permissions.requiredParameters where data?[parameter.lowercased()] == nil {
            return false
        }
        guard let data, !data.isEmpty else { return true }

        if let denied = permissions.deniedParameters, !denied.isEmpty {
            if denied["*"] != nil { return false }
            for (key, value) in data {
                if let values = denied[key.lowercased()], matchesAny(value, values) { return false }
            }
        }

        guard let allowed = permissions.allowedParameters, !allowed.isEmpty else { return true }
        let allowsAnyKey = allowed["*"] != nil
        if allowed.count == 1 && allowsAnyKey { return true }
        for (key, value) in data {
            guard let values = allowed[key.lowercased()] else {
                if allowsAnyKey { continue }
                return false
            }
            if !matchesAny(value, values) { return false }
        }
        return true
    }

    /// An empty list matches every value; strings match with a leading/trailing `*` glob.
    static func matchesAny(_ value: JSONValue, _ list: [JSONValue]) -> Bool {
        if list.isEmpty { return true }
        return list.contains { element in
            switch (element, value) {
            case (.null, _), (_, .null): element == value
            case (.string(let pattern), .string(let text)): globMatches(pattern, text)
            default: deepEqual(element, value)
            }
        }
    }

    /// `strutil.GlobbedStringsMatch`: patterns shorter than two bytes compare literally.
    static func globMatches(_ pattern: String, _ text: String) -> Bool {
        guard pattern.utf8.count >= 2 else { return pattern == text }
        let leading = pattern.hasPrefix("*")
        let trailing = pattern.hasSuffix("*")
        switch (leading, trailing) {
        case (true, true):
            let middle = String(pattern.dropFirst().dropLast())
            return middle.isEmpty || text.utf8.count >= middle.utf8.count && text.contains(middle)
        case (true, false): return text.hasSuffix(String(pattern.dropFirst()))
        case (false, true): return text.hasPrefix(String(pattern.dropLast()))
        case (false, false): return pattern == text
        }
    }

    /// Go's `reflect.DeepEqual` between a policy value and a request value. Vault decodes request
    /// numbers as `json.Number` but policy numbers as `int`/`float64`, so numbers never compare
    /// equal; mirrored here so a numeric allow-list admits nothing, exactly as in Vault.
    private static func deepEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.null, .null): true
        case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1) }
        case (.object(let x), .object(let y)):
            x.count == y.count && x.allSatisfy { key, value in y[key].map { deepEqual(value, $0) } ?? false }
        default: false
        }
    }
}
