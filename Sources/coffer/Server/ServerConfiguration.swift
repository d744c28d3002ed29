import CofferFramework
import Foundation

/// The JSON configuration file of a persistent server (`coffer server -config=<file>`).
///
/// ```json
/// {
///   "listener": {"address": "127.0.0.1:8200", "max_request_size": 33554432},
///   "storage": {"type": "sqlite", "path": "/var/lib/coffer/coffer.db"},
///   "seal": {"type": "static", "key_file": "/etc/coffer/seal.key"},
///   "default_lease_ttl": "768h",
///   "max_lease_ttl": "768h",
///   "log_level": "info",
///   "log_format": "text"
/// }
/// ```
/// `seal.key_env` names an environment variable holding the key instead of `key_file`
/// (default `COFFER_SEAL_KEY` when neither is given).
struct ServerConfiguration: Sendable {
    var address = "127.0.0.1:8200"
    var maxRequestSize = 32 << 20
    /// Open connections at once (`listener.max_connections`).
    var maxConnections = 4096
    /// Seconds from a request head's first byte to its end (`listener.http_read_header_timeout`).
    var readHeaderTimeout: Int64 = 10
    var storageType = "sqlite"
    var storagePath = ""
    var sealKeyFile: String?
    var sealKeyEnv: String?
    var defaultLeaseTTL: Int64 = 2_764_800
    var maxLeaseTTL: Int64 = 2_764_800
    var logLevel = "info"
    var logFormat = "text"

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static func load(path: String) throws -> ServerConfiguration {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw Invalid(description: "cannot read configuration file \(path)")
        }
        let root: [String: JSONValue]
        do {
            guard let parsed = try JSONValue.parseObject(Array(bytes)) else {
                throw Invalid(description: "configuration file \(path) is empty")
            }
            root = parsed
        } catch let error as Invalid {
            throw error
        } catch {
            throw Invalid(description: "configuration file \(path) is not a JSON object")
        }
        return try parse(root)
    }

    static let knownKeys: Set<String> = [
        "listener", "storage", "seal", "default_lease_ttl", "max_lease_ttl", "log_level", "log_format",
    ]

    static func parse(_ root: [String: JSONValue]) throws -> ServerConfiguration {
        var config = ServerConfiguration()
        for key in root.keys where !knownKeys.contains(key) {
            throw Invalid(description: "unknown configuration key \"\(key)\"")
        }
        if let listener = root["listener"] {
            guard let object = listener.objectValue else {
                throw Invalid(description: "\"listener\" must be an object")
            }
            if let address = object["address"] {
                guard let text = address.stringValue, ServerAddress(text) != nil else {
                    throw Invalid(description: "listener.address must be \"host:port\"")
                }
                config.address = text
            }
            let listenerKeys: Set<String> = [
                "address", "max_request_size", "max_connections", "http_read_header_timeout",
            ]
            for key in object.keys.sorted() where !listenerKeys.contains(key) {
                throw Invalid(description: "unknown configuration key \"listener.\(key)\"")
            }
            if let value = object["max_connections"] {
                guard case .int(let count) = value, let narrowed = Int(exactly: count),
                    (1...1_000_000).contains(narrowed)
                else {
                    throw Invalid(description: "listener.max_connections must be an integer between 1 and 1000000")
                }
                config.maxConnections = narrowed
            }
            if let value = object["http_read_header_timeout"] {
                guard let seconds = try? DurationParser.seconds(value), (1...3600).contains(seconds) else {
                    throw Invalid(description: "listener.http_read_header_timeout must be a duration from 1s to 1h")
                }
                config.readHeaderTimeout = seconds
            }
            if let size = object["max_request_size"] {
                guard case .int(let value) = size else {
                    throw Invalid(description: "listener.max_request_size must be an integer")
                }
                guard value >= -1 else { throw Invalid(description: "listener.max_request_size must be -1 or more") }
                config.maxRequestSize = value == 0 ? 32 << 20 : Int(value)
            }
        }
        guard let storage = root["storage"]?.objectValue else {
            throw Invalid(description: "\"storage\" is required: {\"type\": \"sqlite\", \"path\": \"…\"}")
        }
        config.storageType = storage["type"]?.stringValue ?? "sqlite"
        guard config.storageType == "sqlite" else {
            throw Invalid(description: "storage.type \"\(config.storageType)\" is not supported (use \"sqlite\")")
        }
        guard let path = storage["path"]?.stringValue, !path.isEmpty else {
            throw Invalid(description: "storage.path is required")
        }
        config.storagePath = path
        if let seal = root["seal"] {
            guard let object = seal.objectValue else { throw Invalid(description: "\"seal\" must be an object") }
            let type = object["type"]?.stringValue ?? "static"
            guard type == "static" else {
                throw Invalid(description: "seal.type \"\(type)\" is not supported (use \"static\")")
            }
            config.sealKeyFile = object["key_file"]?.stringValue
            config.sealKeyEnv = object["key_env"]?.stringValue
        }
        for (key, target) in [
            ("default_lease_ttl", \ServerConfiguration.defaultLeaseTTL), ("max_lease_ttl", \.maxLeaseTTL),
        ] {
            if let value = root[key] {
                do {
                    let seconds = try DurationParser.seconds(value)
                    guard seconds > 0 else { throw Invalid(description: "\(key) must be positive") }
                    config[keyPath: target] = seconds
                } catch let error as Invalid {
                    throw error
                } catch {
                    throw Invalid(description: "\(key): \(error)")
                }
            }
        }
        if config.defaultLeaseTTL > config.maxLeaseTTL {
            throw Invalid(description: "default_lease_ttl cannot be greater than max_lease_ttl")
        }
        if let level = root["log_level"]?.stringValue { config.logLevel = level }
        if let format = root["log_format"]?.stringValue {
            guard format == "text" || format == "json" else {
                throw Invalid(description: "log_format must be text or json")
            }
            config.logFormat = format
        }
        return config
    }
}

/// `host:port` parsed for the listener.
struct ServerAddress: Sendable {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}
