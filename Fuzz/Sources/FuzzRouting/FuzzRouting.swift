import CofferFramework
import CofferJSON
import CofferStorage
import FuzzSupport

@testable import CofferCore

// Input: a mode byte, then
// - even: `path \0 body`. The path is normalised as the core does (`Core.normalize`), routed through a
//   mount table (`Router`), matched against a backend's path table (`PathPattern`), and the captures plus
//   the body (when it is a JSON object) become the request's `FieldData`, validated and read field by field.
// - odd: `pattern \0 path`, for `PathPattern` itself with patterns the product never declares.
// Invariants: normalising is idempotent and leaves no empty, `.` or `..` segment; a route is the longest
// mount prefix of the path; captures are the pattern's names; fields that validate can be read.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouting(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let mode = input.byte()
    let first = String(decoding: input.field(until: 0), as: UTF8.self)
    let second = input.rest()
    if mode % 2 == 0 {
        routeRequest(path: first, body: second)
    } else {
        let pattern = PathPattern(first)
        let path = String(decoding: second, as: UTF8.self)
        _ = pattern.openAPIPath
        if let captures = pattern.match(path) {
            checkCaptures(captures, pattern, path)
        }
    }
    return 0
}

func routeRequest(path raw: String, body: [UInt8]) {
    guard let path = try? Core.normalize(raw) else { return }
    checkNormalized(path, from: raw)
    guard let (route, relative) = router.match(path) else {
        fuzzCheck(
            !prefixes.contains { path.utf8.starts(with: $0.utf8) || (path + "/").utf8.elementsEqual($0.utf8) },
            "no route for \(path.debugDescription), which a mount covers")
        return
    }
    checkRoute(route.mount.routePrefix, relative, path)
    guard let (definition, captures) = backend.route(relative) else { return }
    checkCaptures(captures, definition.pattern, relative)
    var raw: [String: JSONValue] = [:]
    if case .object(let object)? = try? JSONParser.parse(body) { raw = object }
    for (name, value) in captures { raw[name] = .string(value) }
    readFields(FieldData(raw: raw, schema: definition.fields), definition.fields)
}

func checkNormalized(_ path: String, from raw: String) {
    let segments = path.split(separator: "/", omittingEmptySubsequences: false)
    fuzzCheck(!path.hasPrefix("/"), "normalised \(raw.debugDescription) to \(path.debugDescription)")
    for (index, segment) in segments.enumerated() {
        fuzzCheck(segment != "." && segment != "..", "kept a dot segment: \(raw.debugDescription)")
        fuzzCheck(
            !segment.isEmpty || index == segments.count - 1 || path.isEmpty,
            "kept an empty segment: \(raw.debugDescription) -> \(path.debugDescription)")
    }
    fuzzCheck(
        (try? Core.normalize(path))?.utf8.elementsEqual(path.utf8) == true,
        "normalising is not idempotent on \(raw.debugDescription)")
}

func checkRoute(_ prefix: String, _ relative: String, _ path: String) {
    // Bytes, not `String ==`: routing must not treat canonically equivalent spellings as one path.
    let exact = (prefix + relative).utf8.elementsEqual(path.utf8)
    let mountItself = relative.isEmpty && (path + "/").utf8.elementsEqual(prefix.utf8)
    fuzzCheck(exact || mountItself, "\(path.debugDescription) routed to \(prefix) with \(relative.debugDescription)")
    let longer = prefixes.first { $0.utf8.count > prefix.utf8.count && path.utf8.starts(with: $0.utf8) }
    fuzzCheck(longer == nil, "\(path.debugDescription) routed to \(prefix), not the longer \(longer ?? "")")
}

func checkCaptures(_ captures: [String: String], _ pattern: PathPattern, _ path: String) {
    let names = Set(pattern.captureNames)
    fuzzCheck(
        captures.keys.allSatisfy(names.contains),
        "\(pattern) on \(path.debugDescription) captured \(captures.keys.sorted()), not among \(names.sorted())")
}

/// Validation promises a handler that reading any field of the request then succeeds.
func readFields(_ fields: FieldData, _ schema: [String: FieldSchema]) {
    guard (try? fields.validate()) != nil else { return }
    for (name, field) in schema {
        let read: Bool
        switch field.type {
        case .string, .lowerCaseString: read = (try? fields.string(name)) != nil
        case .int: read = (try? fields.int(name)) != nil
        case .bool: read = (try? fields.bool(name)) != nil
        case .duration: read = (try? fields.duration(name)) != nil
        case .commaStringSlice, .stringSlice: read = (try? fields.stringSlice(name)) != nil
        case .commaIntSlice: read = (try? fields.intSlice(name)) != nil
        case .keyPairs: read = (try? fields.keyPairs(name)) != nil
        case .map: read = fields.has(name) ? (try? fields.map(name)) != nil : true
        case .raw: read = true
        }
        fuzzCheck(read, "field \(name) validated but cannot be read")
    }
}

/// Storage the fuzzed routes are mounted on; routing never touches it.
struct NoStorage: Storage {
    struct Untouchable: Error {}
    func get(_ key: String) async throws -> [UInt8]? { throw Untouchable() }
    func put(_ key: String, value: [UInt8]) async throws { throw Untouchable() }
    func delete(_ key: String) async throws { throw Untouchable() }
    func list(prefix: String) async throws -> [String] { throw Untouchable() }
    func transaction(_ operations: [StorageOperation]) async throws { throw Untouchable() }
}

/// A path table shaped like the product's (KV v2, a role-based auth method), with every field type.
let backend = FrameworkBackend(
    kind: .secrets,
    paths: [
        definition(
            "config/?",
            [
                "max_versions": FieldSchema(.int), "cas_required": FieldSchema(.bool),
                "delete_version_after": FieldSchema(.duration),
            ]),
        definition(
            "data/{path*}",
            [
                "path": FieldSchema(.string), "options": FieldSchema(.map),
                "data": FieldSchema(.map), "version": FieldSchema(.int),
            ]),
        definition(
            "metadata/{path*}/?",
            [
                "path": FieldSchema(.string), "custom_metadata": FieldSchema(.keyPairs),
                "max_versions": FieldSchema(.int, range: 0...Int64(UInt32.max)),
            ]),
        definition("delete/{path*}", ["path": FieldSchema(.string), "versions": FieldSchema(.commaIntSlice)]),
        definition(
            "role/{name}",
            [
                "name": FieldSchema(.lowerCaseString), "policies": FieldSchema(.commaStringSlice),
                "bound_group_ids": FieldSchema(.stringSlice),
                "num_uses": FieldSchema(.int, range: 0...Int64(Int32.max)),
                "ttl": FieldSchema(.duration, range: 0...DurationParser.maxSeconds), "metadata": FieldSchema(.raw),
            ]),
        definition("roles/?", [:]),
        definition("login", ["role": FieldSchema(.string), "jwt": FieldSchema(.string)]),
        definition("{name}/rotate", ["name": FieldSchema(.string)]),
    ])

func definition(_ pattern: String, _ fields: [String: FieldSchema]) -> PathDefinition {
    PathDefinition(pattern, fields: fields, operations: [.read: PathOperation { _, _ in nil }])
}

let mounts: [MountEntry] = [
    ("sys/", MountEntry.Kind.secrets), ("cubbyhole/", .secrets), ("secret/", .secrets), ("secret/nested/", .secrets),
    ("kv/", .secrets), ("\u{e9}t\u{e9}/", .secrets), ("token/", .credential), ("azure/", .credential),
    ("azure-dev/", .credential),
].map { MountEntry(path: $0.0, type: "kv", kind: $0.1, accessor: "acc_" + $0.0, uuid: "uuid-" + $0.0) }

let prefixes = mounts.map(\.routePrefix)

let router: Router = {
    let router = Router()
    let storage = NoStorage()
    router.replace(
        mounts.map { RouteEntry(mount: $0, backend: backend, storage: StorageView(storage, prefix: $0.storagePrefix)) })
    return router
}()
