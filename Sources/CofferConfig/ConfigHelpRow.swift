/// One line of the configuration reference that `coffer server -help` prints and README.md mirrors.
///
/// ```swift
/// ConfigHelpRow(path: "listener.address", type: "\"host:port\"", defaultValue: "127.0.0.1:8200",
///               doc: "where the HTTP API listens")
/// ```
public struct ConfigHelpRow: Sendable, Equatable {
    public var path: String
    public var type: String
    public var defaultValue: String
    public var doc: String

    public init(path: String, type: String, defaultValue: String, doc: String) {
        self.path = path
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
    }

    /// Two lines per row, `path (type, default …)` then the doc indented, so a row fits 80 columns.
    public static func listing(_ rows: [ConfigHelpRow]) -> String {
        rows.map { row in
            let shownDefault =
                switch row.defaultValue {
                case "", "—": ""
                case "required": "required"
                default: "default \(row.defaultValue)"
                }
            let detail = [row.type, shownDefault].filter { !$0.isEmpty }.joined(separator: ", ")
            return "  \(row.path) (\(detail))\n      \(row.doc)"
        }.joined(separator: "\n")
    }

    /// The row as a line of README.md's Markdown table, which mirrors `coffer server -help`.
    public var markdown: String {
        let escapedType = type.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
        let shownDefault = ["required", "—"].contains(defaultValue) ? defaultValue : "`\(defaultValue)`"
        return "| `\(path)` | \(escapedType) | \(shownDefault) | \(doc) |"
    }
}
