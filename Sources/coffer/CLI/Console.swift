import Foundation

/// Where command output goes: results on stdout, errors and warnings on stderr.
///
/// ```swift
/// Console.output("Success! Data written to: secret/foo")
/// Console.error("No value found at secret/foo")
/// Console.raw("s3cr3t")      // no newline when stdout is not a terminal, like `vault -field`
/// ```
enum Console {
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A raw value: on a terminal it ends with a newline; piped, it is exactly the value.
    static func raw(_ text: String) {
        if isatty(STDOUT_FILENO) != 0 {
            output(text)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// Reads all of stdin (for `-` arguments).
    static func readStandardInput() -> Data {
        FileHandle.standardInput.readDataToEndOfFile()
    }

    /// Wraps text at 80 columns on word boundaries, each line prefixed by `padding` spaces.
    static func wrap(_ text: String, padding: Int = 0) -> String {
        let width = 80 - padding
        let prefix = String(repeating: " ", count: padding)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { paragraph in
            var lines: [String] = []
            var line = ""
            for word in paragraph.split(separator: " ") {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            lines.append(line)
            return lines.map { prefix + $0 }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
