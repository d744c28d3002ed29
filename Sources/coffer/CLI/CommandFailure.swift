import ArgumentParser

/// Vault's exit codes: 1 for usage and local errors, 2 for errors reported by the server.
enum ExitStatus {
    static let usage: Int32 = 1
    static let server: Int32 = 2
}

/// Prints `message` to stderr and gives the error that ends the command with `code`.
///
/// ```swift
/// guard let secret else { throw fail("No value found at \(path)") }     // exit 2
/// throw fail("Must supply data", code: ExitStatus.usage)                // exit 1
/// ```
func fail(_ message: String, code: Int32 = ExitStatus.server) -> ExitCode {
    Console.error(message)
    return ExitCode(code)
}

/// Vault's argument-count checks, printed and exited with 1 like `vault`.
func expectArguments(_ arguments: [String], count: Int) throws {
    if arguments.count < count {
        throw fail("Not enough arguments (expected \(count), got \(arguments.count))", code: ExitStatus.usage)
    }
    if arguments.count > count {
        throw fail("Too many arguments (expected \(count), got \(arguments.count))", code: ExitStatus.usage)
    }
}
