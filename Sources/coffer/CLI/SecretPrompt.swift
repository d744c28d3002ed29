import Dispatch
import Foundation

/// Asks for a secret (an unseal key share) on the terminal without echoing it, as `vault operator unseal` does.
///
/// ```swift
/// let key = try SecretPrompt.read("Unseal Key (will be hidden): ")
/// ```
/// When stdin is not a terminal (a pipe, a file, a test) one line is read from it as it is, so scripts can feed
/// the key without putting it on the command line where `ps` would show it.
enum SecretPrompt {
    /// Nothing could be read: stdin was closed before a line arrived, or the terminal refused the mode change.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Prints `prompt` on `output` (stdout unless told; `vault login -method=userpass` asks on stderr), reads one
    /// line, then ends the prompt's line (the typed newline was not echoed).
    static func read(_ prompt: String, to output: FileHandle = .standardOutput) throws -> String {
        defer { output.write(Data("\n".utf8)) }
        guard isatty(STDIN_FILENO) != 0 else {
            output.write(Data(prompt.utf8))
            return try readOneLine()
        }
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else {
            throw Failure(description: "cannot read the terminal settings: \(String(cString: strerror(errno)))")
        }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0 else {
            throw Failure(description: "cannot turn off echo: \(String(cString: strerror(errno)))")
        }
        // Ctrl-C while echo is off must not leave the user's terminal silent.
        let saved = original
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler {
            var restore = saved
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &restore)
            output.write(Data("\n".utf8))
            exit(1)
        }
        interrupt.resume()
        defer {
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
        }
        // Shown only once echo is off and Ctrl-C is handled, so nothing typed after it can appear on screen.
        output.write(Data(prompt.utf8))
        return try readOneLine()
    }

    private static func readOneLine() throws -> String {
        guard let line = readLine(strippingNewline: true) else { throw Failure(description: "EOF") }
        return line
    }
}
