import CofferStorage
import PostgresNIO

/// Sorts PostgreSQL errors into the ones an outage causes (retried, then ``StorageError/unavailable(_:)``) and
/// the rest (``StorageError/backend(_:)`` at once), and words them without the query's values or the password.
///
/// ```swift
/// do { try await client.query(query) } catch {
///     if PostgresFailure.isTransient(error) { /* back off and retry */ } else { throw PostgresFailure.storageError(error) }
/// }
/// ```
enum PostgresFailure {
    /// Connection-level failures and the server states a restart goes through: SQLSTATE class 08 (connection
    /// exception), 57P01-57P05 (admin/crash shutdown, cannot connect now, idle session timeout) and 53300 (too many
    /// connections).
    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? StorageError, case .unavailable = error { return true }
        // A transaction cut by a restart (e.g. its COMMIT answered with 57P01) fails with the step's error inside.
        if let error = error as? PostgresTransactionError {
            let steps: [(any Error)?] = [error.beginError, error.closureError, error.commitError]
            return steps.contains { $0.map(isTransient) ?? false }
        }
        guard let error = error as? PSQLError else {
            // Socket errors (connection refused, reset) reach us from NIO before any PSQLError wraps them.
            return error is IOError || error is ChannelError
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection,
            .failedToAddSSLHandler, .messageDecodingFailure, .unexpectedBackendMessage:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300"
        default:
            return false
        }
    }

    /// A message naming what failed (code, SQLSTATE and the server's message), never the bound values.
    static func describe(_ error: any Error) -> String {
        if let error = error as? StorageError { return error.description }
        if let error = error as? PostgresTransactionError {
            let step = error.commitError ?? error.closureError ?? error.beginError
            return "transaction: " + (step.map(describe) ?? "failed")
        }
        guard let error = error as? PSQLError else { return "\(type(of: error)): \(error)" }
        var text = "postgresql \(error.code)"
        if let state = error.serverInfo?[.sqlState] { text += " (SQLSTATE \(state))" }
        if let message = error.serverInfo?[.message] { text += ": \(message)" }
        if let underlying = error.underlying { text += ": \(underlying)" }
        return text
    }

    static func storageError(_ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        return isTransient(error) ? .unavailable(describe(error)) : .backend(describe(error))
    }
}
