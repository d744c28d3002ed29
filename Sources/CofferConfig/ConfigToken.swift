/// One token of a configuration file, shared by the HCL and JSON readers.
///
/// ```swift
/// var lexer = ConfigLexer(bytes: Array("a = 1".utf8), file: "c.hcl")
/// try lexer.next()   // ConfigToken(kind: .identifier, text: "a", line: 1)
/// ```
struct ConfigToken: Equatable {
    enum Kind: Equatable {
        case identifier, string, number, leftBrace, rightBrace, leftBracket, rightBracket, assign, colon, comma
        case endOfFile
    }

    var kind: Kind
    /// The identifier, the decoded string (heredocs included) or the number as written.
    var text = ""
    var line: Int

    /// How an error message names what it found.
    var described: String {
        switch kind {
        case .identifier: "\"\(text)\""
        case .string: "a string"
        case .number: "the number \(text.prefix(20))"
        case .leftBrace: "\"{\""
        case .rightBrace: "\"}\""
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .assign: "\"=\""
        case .colon: "\":\""
        case .comma: "\",\""
        case .endOfFile: "the end of the file"
        }
    }
}
