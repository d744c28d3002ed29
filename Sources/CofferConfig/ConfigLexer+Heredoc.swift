extension ConfigLexer {
    /// `<<EOF` … `EOF`: every line up to the marker, each ending in a newline, as HCL v1 reads them. With
    /// `<<-EOF` the marker may be indented and the indentation the lines share is removed.
    mutating func heredoc() throws(ConfigurationError) -> ConfigToken {
        let opened = currentLine
        advance(by: 2)
        let indented = take(UInt8(ascii: "-"))
        let marker = takeWhile { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        guard !marker.isEmpty, marker.allSatisfy({ $0 == UInt8(ascii: "_") || isAlphanumeric($0) }) else {
            throw failure("a heredoc needs a marker word after \"<<\"", line: opened)
        }
        _ = take(UInt8(ascii: "\r"))
        guard take(UInt8(ascii: "\n")) else { throw failure("unterminated heredoc", line: opened) }
        newLine()
        var lines: [[UInt8]] = []
        while !atEnd {
            var content = takeWhile { $0 != UInt8(ascii: "\n") }
            if content.last == UInt8(ascii: "\r") { content.removeLast() }
            let trimmed = indented ? Array(content.drop { $0 == 0x20 || $0 == 0x09 }) : content
            if trimmed == marker {
                return ConfigToken(kind: .string, text: Self.joined(lines, dedent: indented), line: opened)
            }
            lines.append(content)
            guard take(UInt8(ascii: "\n")) else { break }
            newLine()
        }
        throw failure("unterminated heredoc (no line reading \(String(decoding: marker, as: UTF8.self)))", line: opened)
    }

    private func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func joined(_ lines: [[UInt8]], dedent: Bool) -> String {
        var cut = 0
        if dedent {
            let indents = lines.filter { !$0.isEmpty }.map { $0.prefix { $0 == 0x20 || $0 == 0x09 }.count }
            cut = indents.min() ?? 0
        }
        var bytes: [UInt8] = []
        for line in lines {
            bytes += line.dropFirst(cut)
            bytes.append(0x0A)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
