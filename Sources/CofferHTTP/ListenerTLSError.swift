/// Why a listener's TLS settings cannot be used; the text names the listener key and file at fault.
///
/// ```swift
/// do { _ = try settings.makeContext() } catch { print("Error initializing listener of type tcp: \(error)") }
/// ```
public struct ListenerTLSError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
