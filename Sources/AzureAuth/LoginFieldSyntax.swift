/// Syntax checks of login fields (docs/azure-auth.md § Request checks), hand-written to match the reference regexes.
enum LoginFieldSyntax {
    /// `^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$`
    /// Bytes, not Characters: `Character.isHexDigit` also accepts fullwidth forms (`１`, `Ａ`), which the regex does not.
    static func isSubscriptionID(_ value: String) -> Bool {
        let groups = value.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(isASCIIHexDigit) }
    }

    private static func isASCIIHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }

    /// `^[\-_.()\pL\pN]*[\-_()\pL\pN]$`: Unicode letters/digits and `-_.()`, not ending with `.`.
    static func isResourceGroupName(_ value: String) -> Bool {
        guard let last = value.last, last != "." else { return false }
        return value.allSatisfy { $0.isLetter || $0.isNumber || "-_.()".contains($0) }
    }

    /// `^[a-zA-Z]$|^[a-zA-Z][a-zA-Z0-9.\-_]*[a-zA-Z0-9_]$` (VM and scale set names).
    static func isMachineName(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard let first = scalars.first, first.isASCIILetter else { return false }
        if scalars.count == 1 { return true }
        let last = scalars[scalars.count - 1]
        guard last.isASCIILetter || last.isASCIIDigit || last == "_" else { return false }
        return scalars.dropFirst().dropLast().allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || ".-_".unicodeScalars.contains($0)
        }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
