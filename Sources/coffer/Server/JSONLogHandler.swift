import CofferFramework
import Foundation
import Logging

/// One JSON object per log line (`log_format: json`): `@timestamp`, `@level`, `@message`, `@module` and metadata.
struct JSONLogHandler: LogHandler {
    var label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: JSONValue] = [
            "@timestamp": .string(RFC3339.string(Date(), fraction: .none)),
            "@level": .string(event.level.rawValue), "@message": .string("\(event.message)"), "@module": .string(label),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = .string("\(value)")
        }
        var line = JSONValue.object(object).serialized()
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(Data(line))
    }
}
