#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fuzzer's bytes read front to back as the several values a target needs (a mode, cut points, a
/// path and a body), so that one flat byte string can steer every parameter and still shrink well.
public struct FuzzInput {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ start: UnsafeRawPointer?, _ count: Int) {
        if let start, count > 0 {
            bytes = Array(UnsafeRawBufferPointer(start: start, count: count))[...]
        } else {
            bytes = []
        }
    }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The next byte, or 0 once the input is used up (a short input then means "the default").
    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// Bytes up to (not including) the first `separator`, consuming the separator too; the rest when
    /// there is none. Lets a seed file read as text: `path\0body`.
    public mutating func field(until separator: UInt8) -> [UInt8] {
        guard let end = bytes.firstIndex(of: separator) else { return rest() }
        let value = Array(bytes[..<end])
        bytes = bytes[(end + 1)...]
        return value
    }

    /// Everything not yet read.
    public mutating func rest() -> [UInt8] {
        let value = Array(bytes)
        bytes = []
        return value
    }

    /// The HTTP targets' layout: one byte n (mod 8), n cut bytes for ``pieces(of:cutAt:)``, then the stream.
    public mutating func cutsAndStream() -> (plan: [UInt8], stream: [UInt8]) {
        let cutCount = Int(byte() % 8)
        let plan = (0..<cutCount).map { _ in byte() }
        return (plan, rest())
    }
}

/// Splits `stream` into pieces at positions taken from `plan`: each plan byte is one cut, scaled to the
/// stream's length, so the same cut bytes keep meaning "near the start" or "near the end" as the stream
/// mutates. Empty pieces are kept: a zero-length read is a case the handler must take too.
public func pieces(of stream: [UInt8], cutAt plan: [UInt8]) -> [[UInt8]] {
    let cuts = plan.map { Int($0) * stream.count / 255 }.sorted()
    var result: [[UInt8]] = []
    var start = 0
    for cut in cuts {
        result.append(Array(stream[start..<cut]))
        start = cut
    }
    result.append(Array(stream[start...]))
    return result
}

/// Reports a broken invariant and aborts, which libFuzzer records as a crash with the input that caused it.
/// A plain `assert` would vanish in the release build the fuzzers use.
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    guard !condition() else { return }
    var text = "fuzz invariant failed at \(file):\(line): \(message())\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    abort()
}

/// `bytes` shown as printable ASCII with everything else escaped, for invariant messages.
public func describe(_ bytes: [UInt8]) -> String {
    var out = ""
    for byte in bytes.prefix(512) {
        switch byte {
        case 0x0D: out += "\\r"
        case 0x0A: out += "\\n"
        case 0x5C: out += "\\\\"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
        default: out += "\\x" + String(byte, radix: 16)
        }
    }
    return bytes.count > 512 ? out + "…(\(bytes.count) bytes)" : out
}
