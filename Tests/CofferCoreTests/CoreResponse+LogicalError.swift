import CofferCore
import CofferFramework

extension CoreResponse {
    /// The error the core answered with, status and messages as values (the shared accessors in `CofferTesting`
    /// give its plain messages as `errors`).
    var error: LogicalError? {
        if case .errors(let error) = body { return error }
        return nil
    }
}
