import Logging

/// Wraps the server's log handler so its level comes from ``LogLevelControl`` at every call.
///
/// ```swift
/// LoggingSystem.bootstrap { label in
///     ReloadableLevelLogHandler(inner: StreamLogHandler.standardError(label: label), control: .shared)
/// }
/// ```
///
/// Setting `logLevel` on any logger changes the shared level: the server has one level, and SIGHUP
/// replaces it (docs/tls.md, "Reload").
struct ReloadableLevelLogHandler: LogHandler {
    var inner: any LogHandler
    let control: LogLevelControl

    var logLevel: Logger.Level {
        get { control.level }
        set { control.level = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        inner.log(event: event)
    }
}
