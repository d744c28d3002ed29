import CofferFramework

/// JSON merge patch (RFC 7396): `null` removes a member, objects merge recursively, any other
/// value replaces the target.
///
/// ```swift
/// JSONMergePatch.apply(["a": nil, "b": ["c": 1]], to: ["a": 1, "b": ["d": 2]])
/// // ["b": ["c": 1, "d": 2]]
/// ```
enum JSONMergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue?) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target?.objectValue ?? [:]
        for (name, value) in members {
            if value.isNull {
                result[name] = nil
            } else {
                result[name] = apply(value, to: result[name])
            }
        }
        return .object(result)
    }
}
