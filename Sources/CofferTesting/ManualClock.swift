import Synchronization

/// A clock tests move by hand, in nanoseconds since the Unix epoch; starts at 2024-11-29T00:00:00.123456789Z.
/// Hand it to anything that takes a clock closure: `{ clock.seconds }` for the core, `{ clock.nanoseconds }`
/// for KV timestamps.
///
/// ```swift
/// let clock = ManualClock()
/// var configuration = CoreConfiguration()
/// configuration.clock = { clock.seconds }
/// clock.advance(seconds: 3600)
/// ```
public final class ManualClock: Sendable {
    public static let startNanoseconds: Int64 = 1_732_838_400_123_456_789
    private let current: Mutex<Int64>

    public init(nanoseconds: Int64 = ManualClock.startNanoseconds) {
        current = Mutex(nanoseconds)
    }

    public var nanoseconds: Int64 { current.withLock { $0 } }

    /// Seconds since the epoch, with the fraction.
    public var seconds: Double { Double(nanoseconds) / 1_000_000_000 }

    /// Moves the clock; it stops at the ends of the `Int64` nanosecond range rather than wrapping.
    public func advance(seconds: Int64) {
        current.withLock { now in
            let (delta, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            let (sum, overflowedSum) = now.addingReportingOverflow(delta)
            if overflowed || overflowedSum {
                now = seconds < 0 ? .min : .max
            } else {
                now = sum
            }
        }
    }
}
