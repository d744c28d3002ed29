import Foundation

/// OpenAPI 3 path items built from a backend's path table — the one source for `?help=1`'s `openapi` fragment and
/// `sys/internal/specs/openapi` (docs/openapi.md). Item-level `parameters` are the path captures only; a `LIST`
/// is the `get` operation with a `list=true` query parameter, as Vault documents it.
///
/// ```swift
/// let items = OpenAPIPathTable.items(of: backend.paths, sudoPaths: backend.sudoPaths)
/// items["/role/{name}"]   // {"description":…, "parameters":[{"name":"name","in":"path",…}], "get":…, "post":…}
/// let mounted = OpenAPIPathTable.prefixed(items, mountPrefix: "auth/approle/", tag: "auth")
/// ```
public enum OpenAPIPathTable {
    /// One path item per distinct template; two definitions with the same template share it.
    public static func items(of definitions: [PathDefinition], sudoPaths: [String] = []) -> [String: JSONValue] {
        var items: [String: [String: JSONValue]] = [:]
        for definition in definitions {
            let key = definition.pattern.openAPIPath
            var item = items[key] ?? baseItem(definition, sudoPaths: sudoPaths)
            for (method, operation) in operations(definition, key: key) where item[method] == nil {
                item[method] = operation
            }
            items[key] = item
        }
        return items.mapValues { .object($0) }
    }

    /// The items of one mount placed under its route prefix, with operation ids made unique by the mount and
    /// `tag` on every operation. With `mountParameter` (`generic_mount_paths`), the mount's own path segment becomes
    /// that path parameter: `auth/approle/` → `/auth/{approle_mount_path}/…`.
    public static func prefixed(
        _ items: [String: JSONValue], mountPrefix: String, tag: String, mountParameter: String? = nil
    ) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        var mountPrefix = mountPrefix
        if let mountParameter {
            mountPrefix = (mountPrefix.hasPrefix("auth/") ? "auth/" : "") + "{\(mountParameter)}/"
        }
        let mountSlug = slug(mountPrefix)
        for (key, item) in items {
            guard var object = item.objectValue else { continue }
            if let mountParameter {
                let parameter: JSONValue = [
                    "name": .string(mountParameter), "in": "path", "required": true,
                    "description": "Path that the backend was mounted at", "schema": ["type": "string"],
                ]
                object["parameters"] = .array([parameter] + (object["parameters"]?.arrayValue ?? []))
            }
            for method in ["get", "post", "patch", "delete", "head"] {
                guard var operation = object[method]?.objectValue else { continue }
                let id = operation["operationId"]?.stringValue ?? method
                operation["operationId"] = .string(mountSlug.isEmpty ? id : mountSlug + "-" + id)
                operation["tags"] = .strings([tag])
                object[method] = .object(operation)
            }
            result["/" + mountPrefix + key.dropFirst()] = .object(object)
        }
        return result
    }

    static func baseItem(_ definition: PathDefinition, sudoPaths: [String]) -> [String: JSONValue] {
        var item: [String: JSONValue] = ["description": .string(definition.synopsis)]
        let captures = definition.pattern.captureNames
        if !captures.isEmpty {
            item["parameters"] = .array(
                captures.map { name -> JSONValue in
                    [
                        "name": .string(name), "in": "path", "required": true,
                        "description": .string(definition.fields[name]?.description ?? ""),
                        "schema": ["type": "string"],
                    ]
                })
        }
        if definition.sudo || isSudo(definition.pattern, sudoPaths) { item["x-vault-sudo"] = true }
        if definition.unauthenticated { item["x-vault-unauthenticated"] = true }
        if definition.existenceCheck != nil { item["x-vault-createSupported"] = true }
        return item
    }

    /// Whether a sample path of the template falls under one of the backend's root-protected paths.
    static func isSudo(_ pattern: PathPattern, _ sudoPaths: [String]) -> Bool {
        let sample = pattern.captureNames.reduce(String(pattern.openAPIPath.dropFirst())) {
            $0.replacingOccurrences(of: "{\($1)}", with: "x")
        }
        return sudoPaths.contains { $0.hasSuffix("*") ? sample.hasPrefix($0.dropLast()) : sample == $0 }
    }

    static func operations(_ definition: PathDefinition, key: String) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        let body = requestBody(definition)
        let id = slug(String(key.dropFirst()))
        for (operation, spec) in definition.operations.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let method: String
            var object: [String: JSONValue] = ["summary": .string(spec.summary)]
            switch operation {
            case .read, .list: method = "get"
            case .create, .update: method = "post"
            case .patch: method = "patch"
            case .delete: method = "delete"
            case .header: method = "head"
            }
            guard result[method] == nil || operation == .read else { continue }
            object["operationId"] = .string("\(operation == .list ? "list" : method)-\(id.isEmpty ? "root" : id)")
            if operation == .list || (operation == .read && definition.operations[.list] != nil) {
                object["parameters"] = [
                    [
                        "name": "list", "in": "query", "required": .bool(operation == .list),
                        "description": "Must be set to `true`", "schema": ["type": "string", "enum": ["true"]],
                    ]
                ]
            }
            if method == "post" || method == "patch", let body { object["requestBody"] = body }
            let responses: JSONValue =
                method == "delete" ? ["204": ["description": "empty body"]] : ["200": ["description": "OK"]]
            object["responses"] = responses
            result[method] = .object(object)
        }
        return result
    }

    static func requestBody(_ definition: PathDefinition) -> JSONValue? {
        let captures = Set(definition.pattern.captureNames)
        var properties: [String: JSONValue] = [:]
        for (name, field) in definition.fields where !captures.contains(name) {
            var schema: [String: JSONValue] = [
                "type": .string(openAPIType(field.type)), "description": .string(field.description),
            ]
            if field.deprecated { schema["deprecated"] = true }
            switch field.type {
            case .commaStringSlice, .stringSlice: schema["items"] = ["type": "string"]
            case .commaIntSlice: schema["items"] = ["type": "integer"]
            default: break
            }
            properties[name] = .object(schema)
        }
        guard !properties.isEmpty else { return nil }
        return ["content": ["application/json": ["schema": ["type": "object", "properties": .object(properties)]]]]
    }

    /// The JSON type a field's values take on the wire.
    public static func openAPIType(_ type: FieldType) -> String {
        switch type {
        case .string, .lowerCaseString: return "string"
        case .int, .duration: return "integer"
        case .bool: return "boolean"
        case .commaStringSlice, .stringSlice, .commaIntSlice: return "array"
        case .keyPairs, .map, .raw: return "object"
        }
    }

    /// Letters, digits and `_` kept; every other run of characters becomes one `-`.
    static func slug(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || (48...57).contains(scalar.value) || scalar == "_" {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }
}
