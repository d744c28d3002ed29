import ArgumentParser
import CofferClient

/// Prints API results the way `vault` does in `table` and `json` formats, including `-field`.
///
/// ```swift
/// let printer = Printer(format: "table", field: nil)
/// try printer.secret(response.json!)        // Key/Value table of data, auth, lease
/// printer.list(keys)                         // Keys / ---- / sorted names
/// ```
struct Printer: Sendable {
    let format: String
    let field: String?

    var isTable: Bool { format == "table" }

    /// The order Go's `api.Secret` struct marshals its fields in.
    static let envelopeKeys = [
        "request_id", "lease_id", "lease_duration", "renewable", "data", "warnings", "auth", "wrap_info", "mount_type",
    ]

    /// The order of Go's `api.SecretAuth` fields (the only ones it keeps).
    static let authKeys = [
        "client_token", "accessor", "policies", "token_policies", "identity_policies", "metadata", "orphan",
        "entity_id", "lease_duration", "renewable", "mfa_requirement",
    ]

    /// A body with none of the envelope keys is all data (raw endpoints such as `sys/health`),
    /// as the Go client's `ParseSecret` reads it.
    static func secretObject(_ json: JSONValue?) -> [String: JSONValue] {
        guard let object = json?.objectValue else { return [:] }
        if object.keys.contains(where: envelopeKeys.contains) { return object }
        return ["data": .object(object)]
    }

    /// A response body reshaped into Go's `api.Secret`: envelope keys only, absent ones defaulted,
    /// `auth`/`wrap_info`/`mount_type` left out when empty.
    static func envelope(_ json: JSONValue?) -> JSONValue {
        let object = secretObject(json)
        var out: [String: JSONValue] = [
            "request_id": object["request_id"] ?? "",
            "lease_id": object["lease_id"] ?? "",
            "lease_duration": object["lease_duration"] ?? 0,
            "renewable": object["renewable"] ?? false,
            "data": object["data"] ?? .null,
            "warnings": object["warnings"] ?? .null,
        ]
        if let auth = object["auth"]?.objectValue {
            let defaults: [String: JSONValue] = [
                "client_token": "", "accessor": "", "orphan": false, "entity_id": "", "lease_duration": 0,
                "renewable": false,
            ]
            out["auth"] = .object(
                Dictionary(uniqueKeysWithValues: authKeys.map { ($0, auth[$0] ?? defaults[$0] ?? .null) }))
        }
        if let wrap = object["wrap_info"], wrap.objectValue != nil { out["wrap_info"] = wrap }
        if let mountType = object["mount_type"], mountType.stringValue?.isEmpty == false {
            out["mount_type"] = mountType
        }
        return .object(out)
    }

    // MARK: - Secrets

    /// `-field` if given, else the whole secret (`OutputSecret`).
    func secretOrField(_ json: JSONValue?) throws {
        if let field {
            try rawField(Self.rawField(in: json, named: field), named: field)
        } else {
            secret(json)
        }
    }

    /// Vault's `OutputSecret`.
    func secret(_ json: JSONValue?) {
        guard isTable else {
            Console.output(
                Self.envelope(json).formatted(keyOrder: Self.envelopeKeys, childKeyOrder: ["auth": Self.authKeys]))
            return
        }
        let object = Self.secretObject(json)
        printWarnings(json)
        var rows: [[String]] = []
        let leaseDuration = object["lease_duration"]?.intValue ?? 0
        if leaseDuration > 0 {
            let leaseID = object["lease_id"]?.stringValue ?? ""
            if !leaseID.isEmpty {
                rows.append(["lease_id", leaseID])
                rows.append(["lease_duration", GoFormat.humanDuration(seconds: leaseDuration)])
                rows.append(["lease_renewable", GoFormat.value(object["renewable"] ?? false)])
            } else {
                rows.append(["refresh_interval", GoFormat.humanDuration(seconds: leaseDuration)])
            }
        }
        if let auth = object["auth"]?.objectValue {
            rows += Self.authRows(auth)
        }
        if let wrap = object["wrap_info"]?.objectValue {
            rows.append(["wrapping_token:", GoFormat.value(wrap["token"] ?? "")])
            rows.append(["wrapping_accessor:", GoFormat.value(wrap["accessor"] ?? "")])
            rows.append(["wrapping_token_ttl:", GoFormat.humanDuration(seconds: wrap["ttl"]?.intValue ?? 0)])
            rows.append(["wrapping_token_creation_time:", GoFormat.value(wrap["creation_time"] ?? "")])
            rows.append(["wrapping_token_creation_path:", GoFormat.value(wrap["creation_path"] ?? "")])
            if let wrapped = wrap["wrapped_accessor"]?.stringValue, !wrapped.isEmpty {
                rows.append(["wrapped_accessor:", wrapped])
            }
        }
        if let data = object["data"]?.objectValue {
            rows += Self.mapRows(data)
        }
        guard !rows.isEmpty else { return }
        Console.output(Table.render([["Key", "Value"]] + rows))
    }

    static func authRows(_ auth: [String: JSONValue]) -> [[String]] {
        let duration = auth["lease_duration"]?.intValue ?? 0
        var rows: [[String]] = [
            ["token", GoFormat.value(auth["client_token"] ?? "")],
            ["token_accessor", GoFormat.value(auth["accessor"] ?? "")],
            // A zero TTL is a token that never expires (root).
            ["token_duration", duration == 0 ? "∞" : GoFormat.humanDuration(seconds: duration)],
            ["token_renewable", GoFormat.value(auth["renewable"] ?? false)],
            ["token_policies", GoFormat.quotedList(auth["token_policies"]?.stringArray)],
            ["identity_policies", GoFormat.quotedList(auth["identity_policies"]?.stringArray)],
            ["policies", GoFormat.quotedList(auth["policies"]?.stringArray)],
        ]
        for (key, value) in (auth["metadata"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            rows.append(["token_meta_\(key)", GoFormat.value(value)])
        }
        return rows
    }

    static func mapRows(_ data: [String: JSONValue]) -> [[String]] {
        data.keys.sorted().map { [$0, GoFormat.cell(key: $0, data[$0])] }
    }

    /// Vault's `printWarnings`, on stderr.
    func printWarnings(_ json: JSONValue?) {
        let warnings = json?["warnings"]?.stringArray ?? []
        guard !warnings.isEmpty else { return }
        Console.error("WARNING! The following warnings were returned from Vault:\n")
        for warning in warnings {
            Console.error(Console.wrap("* \(warning)", padding: 2))
            Console.error("")
        }
    }

    // MARK: - Lists and plain data

    /// Vault's `OutputList`: `Keys` table of the sorted names, or the JSON array.
    func list(_ keys: [JSONValue], envelope: JSONValue? = nil) {
        guard isTable else {
            Console.output(JSONValue.array(keys).formatted())
            return
        }
        printWarnings(envelope)
        let names = keys.map { GoFormat.value($0) }.sorted()
        guard !names.isEmpty else { return }
        Console.output(Table.render([["Keys"]] + names.map { [$0] }))
    }

    /// Vault's `OutputData`: a map as a Key/Value table, a list as a Keys table; JSON as is.
    func data(_ value: JSONValue) {
        guard isTable else {
            Console.output(value.formatted())
            return
        }
        switch value {
        case .object(let object):
            guard !object.isEmpty else { return }
            Console.output(Table.render([["Key", "Value"]] + Self.mapRows(object)))
        case .array(let elements):
            list(elements)
        default:
            Console.output(GoFormat.value(value))
        }
    }

    // MARK: - Fields

    /// Vault's `RawField`: auth fields first for login/token responses, envelope fields, then `data`.
    static func rawField(in json: JSONValue?, named field: String) -> JSONValue? {
        let object = secretObject(json)
        let data = object["data"]?.objectValue
        if let auth = object["auth"]?.objectValue {
            switch field {
            case "token": return auth["client_token"]
            case "token_accessor": return auth["accessor"]
            case "token_duration": return auth["lease_duration"]
            case "token_renewable": return auth["renewable"]
            case "token_policies": return auth["token_policies"] ?? .array([])
            case "identity_policies": return auth["identity_policies"] ?? .array([])
            case "policies": return auth["policies"] ?? .array([])
            default: return data?[field]
            }
        }
        if let wrap = object["wrap_info"]?.objectValue {
            switch field {
            case "wrapping_token": return wrap["token"]
            case "wrapping_accessor": return wrap["accessor"]
            case "wrapping_token_ttl": return wrap["ttl"]
            case "wrapping_token_creation_time": return wrap["creation_time"]
            case "wrapping_token_creation_path": return wrap["creation_path"]
            case "wrapped_accessor": return wrap["wrapped_accessor"]
            default: return data?[field]
            }
        }
        switch field {
        case "lease_duration", "refresh_interval": return object["lease_duration"] ?? 0
        case "lease_id": return object["lease_id"] ?? ""
        case "request_id": return object["request_id"] ?? ""
        case "renewable": return object["renewable"] ?? false
        case "data": return data?["data"] ?? object["data"]
        default: return data?[field]
        }
    }

    /// Vault's `PrintRawField`: the value alone (`%v` in table format, JSON otherwise).
    func rawField(_ value: JSONValue?, named field: String) throws {
        guard let value, !value.isNull else {
            throw fail("Field \(GoQuote.quote(field)) not present in secret", code: ExitStatus.usage)
        }
        Console.raw(isTable ? GoFormat.value(value) : value.formatted())
    }
}
