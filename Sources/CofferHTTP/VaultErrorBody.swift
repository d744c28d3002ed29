import CofferFramework

/// Vault's error body, `{"errors":[…]}`, for a ``LogicalError``. The one place the go-multierror text
/// (`1 error occurred:\n\t* permission denied\n\n`) is produced: backends and the core only say which messages
/// belong together.
///
/// ```swift
/// VaultErrorBody.messages(.permissionDenied)     // ["1 error occurred:\n\t* permission denied\n\n"]
/// VaultErrorBody.serialized(.badRequest("no"))   // {"errors":["no"]}
/// ```
public enum VaultErrorBody {
    /// The strings of the `errors` array.
    public static func messages(_ error: LogicalError) -> [String] {
        guard error.isMultiError, !error.messages.isEmpty else { return error.messages }
        return [multiErrorText(error.messages)]
    }

    /// The whole body.
    public static func serialized(_ error: LogicalError) -> [UInt8] {
        JSONValue.object(["errors": .strings(messages(error))]).serialized()
    }

    /// go-multierror's list format: a count line, one `\t* ` point per message, then a blank line.
    static func multiErrorText(_ messages: [String]) -> String {
        let header = messages.count == 1 ? "1 error occurred:" : "\(messages.count) errors occurred:"
        return header + "\n" + messages.map { "\t* " + $0 }.joined(separator: "\n") + "\n\n"
    }
}
