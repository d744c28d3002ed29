import CofferFramework
import Foundation
import NIOCore

/// Building devices from their options (docs/audit.md § Device types), with Vault's error texts.
extension Core {
    func makeAuditDevice(_ entry: AuditDeviceEntry, salt: String) throws -> AuditDevice {
        let sink: any AuditSink
        switch entry.type {
        case "file": sink = try Self.fileSink(entry.options)
        case "socket": sink = try Self.socketSink(entry.options)
        default: throw LogicalError.badRequest("unknown backend type: \(GoQuote.quote(entry.type))")
        }
        return AuditDevice(entry: entry, format: try AuditFormatOptions(entry.options), salt: salt, sink: sink)
    }

    static func fileSink(_ options: [String: String]) throws -> FileAuditSink {
        guard let path = options["file_path"] ?? options["path"], !path.isEmpty else {
            throw LogicalError.badRequest("file_path is required")
        }
        switch path.lowercased() {
        case "stdout": return FileAuditSink(destination: .stdout)
        case "discard": return FileAuditSink(destination: .discard)
        default: break
        }
        var mode: mode_t = 0o600
        if let text = options["mode"] {
            // Go's strconv.ParseUint(mode, 8, 32); only permission bits make sense for a log file.
            guard let parsed = UInt32(text, radix: 8) else {
                throw LogicalError.badRequest("strconv.ParseUint: parsing \(GoQuote.quote(text)): invalid syntax")
            }
            guard parsed <= 0o7777 else { throw LogicalError.badRequest("invalid mode \(GoQuote.quote(text))") }
            mode = mode_t(parsed)
        }
        return FileAuditSink(destination: .file(path: path, mode: mode))
    }

    static func socketSink(_ options: [String: String]) throws -> SocketAuditSink {
        guard let address = options["address"], !address.isEmpty else {
            throw LogicalError.badRequest("address is required")
        }
        let typeText = options["socket_type"] ?? "tcp"
        guard let kind = SocketAuditSink.Kind(rawValue: typeText.isEmpty ? "tcp" : typeText) else {
            throw LogicalError.badRequest("unknown socket type \(GoQuote.quote(typeText))")
        }
        var timeout = TimeAmount.seconds(2)
        if let text = options["write_timeout"], !text.isEmpty {
            let seconds: Int64
            do {
                seconds = try DurationParser.seconds(text)
            } catch {
                throw LogicalError.badRequest("\(error)")
            }
            // A zero or negative timeout would fail every write; a day is far beyond any useful value.
            guard seconds > 0, seconds <= 86_400 else {
                throw LogicalError.badRequest("write_timeout must be between 1s and 24h")
            }
            timeout = .seconds(seconds)
        }
        if kind != .unix { _ = try Self.checkedSocketAddress(address) }
        return SocketAuditSink(address: address, kind: kind, writeTimeout: timeout)
    }

    static func checkedSocketAddress(_ address: String) throws -> (String, Int) {
        do {
            return try SocketAuditSink.split(address)
        } catch {
            throw LogicalError.badRequest("\(error)")
        }
    }

    /// Enable's `options`: an object, or a list of `k=v` strings; values weakly converted to strings as Vault's
    /// `mapstructure` does (`true` → `"1"`, numbers as decimal text).
    static func auditOptions(_ raw: JSONValue?) throws -> [String: String] {
        var options: [String: String] = [:]
        switch raw {
        case nil, .null?: return [:]
        case .object(let object)?:
            for (key, value) in object {
                switch value {
                case .string(let text): options[key] = text
                case .bool(let flag): options[key] = flag ? "1" : "0"
                case .int(let number): options[key] = String(number)
                case .double:
                    var bytes: [UInt8] = []
                    value.write(to: &bytes)
                    options[key] = String(decoding: bytes, as: UTF8.self)
                case .null: options[key] = ""
                case .array, .object:
                    throw LogicalError.badRequest("options: \(GoQuote.quote(key)) must be a string")
                }
            }
        case .array(let items)?:
            for item in items {
                guard let text = item.stringValue, let equals = text.firstIndex(of: "=") else {
                    throw LogicalError.badRequest("options must be a map or a list of key=value strings")
                }
                options[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
        default:
            throw LogicalError.badRequest("options must be a map or a list of key=value strings")
        }
        return options
    }
}
