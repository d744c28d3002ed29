import Logging
import Synchronization

/// The server's one log level, read by every log handler at each log call so a SIGHUP that re-reads
/// `log_level` changes it for loggers already handed out.
///
/// ```swift
/// LogLevelControl.shared.level = .debug
/// let handler = ReloadableLevelLogHandler(inner: StreamLogHandler.standardError(label: label), control: .shared)
/// ```
final class LogLevelControl: Sendable {
    static let shared = LogLevelControl()

    private let storage = Mutex(Logger.Level.info)

    var level: Logger.Level {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    /// Vault's names (`trace`, `debug`, `info`, `warn`, `error`) plus swift-log's `warning`.
    static func parse(_ text: String) -> Logger.Level? {
        text == "warn" ? .warning : Logger.Level(rawValue: text)
    }
}
