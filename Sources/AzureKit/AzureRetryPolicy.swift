import Foundation
import NIOHTTP1

/// ARM retry settings (`max_retries`, `retry_delay`, `max_retry_delay`; docs/azure-auth.md § Retries), in seconds.
///
/// ```swift
/// let policy = AzureRetryPolicy(maxRetries: 3, retryDelay: 4, maxRetryDelay: 60)
/// policy.delay(beforeRetry: 2, retryAfter: nil)   // 8 s: doubling from retry_delay, capped at max_retry_delay
/// ```
public struct AzureRetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt; zero or negative means none.
    public var maxRetries: Int
    /// First back-off in seconds; negative means no delay.
    public var retryDelay: Double
    /// Back-off cap in seconds; negative means no cap.
    public var maxRetryDelay: Double

    public init(maxRetries: Int = 3, retryDelay: Double = 4, maxRetryDelay: Double = 60) {
        self.maxRetries = maxRetries
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
    }

    public static let `default` = AzureRetryPolicy()

    /// Statuses worth another attempt; everything else is final.
    public static let retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// The longest single wait, whatever the settings or a server's `Retry-After` say (a negative
    /// `maxRetryDelay` means "no cap", and the doubling back-off or a hostile header would otherwise overflow).
    public static let longestDelay: Double = 3600

    /// How long to wait before retry number `retry` (1-based). A server's `Retry-After` wins over the
    /// back-off, but never exceeds the cap, so a login cannot be parked for minutes.
    public func delay(beforeRetry retry: Int, retryAfter: Double?) -> Duration {
        var seconds: Double
        if let retryAfter, retryAfter >= 0 {
            seconds = retryAfter
        } else {
            let base = retryDelay.isNaN ? 0 : max(retryDelay, 0)
            // 0 × 2^n stays 0 even when 2^n is infinite (which would make NaN).
            seconds = base == 0 ? 0 : base * pow(2, Double(min(max(retry, 1) - 1, 64)))
        }
        if maxRetryDelay >= 0 { seconds = min(seconds, maxRetryDelay) }
        // NaN and infinity (from a header like "inf" or "1e400") are clamped before the integer conversion.
        seconds = seconds.isNaN ? 0 : min(max(seconds, 0), Self.longestDelay)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Seconds to wait from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or HTTP date).
    public static func retryAfter(_ headers: HTTPHeaders, now: Date = Date()) -> Double? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let value = headers.first(name: name), let ms = Double(value.trimmingCharacters(in: .whitespaces)),
                ms.isFinite, ms >= 0
            {
                return ms / 1000
            }
        }
        guard let value = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(date.timeIntervalSince(now), 0)
    }
}
