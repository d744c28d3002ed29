/// Why ``Shamir/split(_:parts:threshold:randomBytes:)`` or ``Shamir/combine(_:)`` refused; the description
/// is Vault's wording, which the unseal and init endpoints return to clients.
///
/// ```swift
/// do { _ = try Shamir.combine([share]) } catch let error as ShamirError { print(error) }
/// // less than two parts cannot be used to reconstruct the secret
/// ```
public enum ShamirError: Error, Sendable, Equatable, CustomStringConvertible {
    case partsLessThanThreshold
    case tooManyParts
    case thresholdTooSmall
    case thresholdTooLarge
    case emptySecret
    /// The random source handed back fewer bytes than asked for.
    case randomSourceFailed
    case tooFewParts
    case partTooShort
    case partLengthsDiffer
    case duplicatePart

    public var description: String {
        switch self {
        case .partsLessThanThreshold: "parts cannot be less than threshold"
        case .tooManyParts: "parts cannot exceed 255"
        case .thresholdTooSmall: "threshold must be at least 2"
        case .thresholdTooLarge: "threshold cannot exceed 255"
        case .emptySecret: "cannot split an empty secret"
        case .randomSourceFailed: "failed to generate polynomial"
        case .tooFewParts: "less than two parts cannot be used to reconstruct the secret"
        case .partTooShort: "parts must be at least two bytes"
        case .partLengthsDiffer: "all parts must be the same length"
        case .duplicatePart: "duplicate part detected"
        }
    }
}
