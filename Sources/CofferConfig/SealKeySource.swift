/// Where a persistent server's seal key comes from: a file (read and permission-checked at start) or the key
/// itself, taken from the environment. The description never shows the key.
///
/// ```swift
/// case .file(let path): key = try StaticSealKey.load(file: path)
/// case .text(let text): key = try StaticSealKey.parse(text)
/// ```
public enum SealKeySource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case text(String)

    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .text: "key from the environment"
        }
    }
}
