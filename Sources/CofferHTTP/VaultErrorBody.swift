import CofferFramework

/// Vault's error body, `{"errors":[…]}`, for a ``LogicalError``. The one place an error is rendered as
/// go-multierror text (`1 error occurred:\n\t* permission denied\n\n`, written by `GoMultiError`): backends and
/// the core only say which messages belong together.
///
/// ```swift
/// VaultErrorBody.messages(.permissionDenied)     // ["1 error occurred:\n\t* permission denied\n\n"]
/// VaultErrorBody.serialized(.badRequest("no"))   // {"errors":["no"]}
/// ```
public enum VaultErrorBody {
    /// The strings of the `errors` array.
    public static func messages(_ error: LogicalError) -> [String] {
        guard error.isMultiError, !error.messages.isEmpty else { return error.messages }
        return [GoMultiError.text(error.messages)]
    }

    /// The whole body.
    public static func serialized(_ error: LogicalError) -> [UInt8] {
        JSONValue.object(["errors": .strings(messages(error))]).serialized()
    }
}
