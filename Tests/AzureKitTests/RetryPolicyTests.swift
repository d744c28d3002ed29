import Foundation
import NIOHTTP1
import Testing

@testable import AzureKit

@Suite struct RetryPolicyTests {
    @Test func backOffDoublesFromRetryDelayUpToTheCap() {
        let policy = AzureRetryPolicy(maxRetries: 5, retryDelay: 4, maxRetryDelay: 20)
        #expect(policy.delay(beforeRetry: 1, retryAfter: nil) == .seconds(4))
        #expect(policy.delay(beforeRetry: 2, retryAfter: nil) == .seconds(8))
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil) == .seconds(16))
        #expect(policy.delay(beforeRetry: 4, retryAfter: nil) == .seconds(20))
    }

    @Test func negativeDelaysMeanNoDelayAndNoCap() {
        #expect(AzureRetryPolicy(retryDelay: -1, maxRetryDelay: 60).delay(beforeRetry: 3, retryAfter: nil) == .zero)
        #expect(
            AzureRetryPolicy(retryDelay: 1, maxRetryDelay: -1).delay(beforeRetry: 8, retryAfter: nil) == .seconds(128))
    }

    @Test func retryAfterWinsButIsCapped() {
        let policy = AzureRetryPolicy(maxRetries: 3, retryDelay: 4, maxRetryDelay: 10)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 1) == .seconds(1))
        #expect(policy.delay(beforeRetry: 1, retryAfter: 0) == .zero)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 120) == .seconds(10))
    }

    @Test func retryAfterHeadersAreRead() {
        #expect(AzureRetryPolicy.retryAfter(["Retry-After": "7"]) == 7)
        #expect(AzureRetryPolicy.retryAfter(["retry-after-ms": "250", "Retry-After": "7"]) == 0.25)
        #expect(AzureRetryPolicy.retryAfter(["x-ms-retry-after-ms": "1500"]) == 1.5)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(AzureRetryPolicy.retryAfter(["Retry-After": "Tue, 14 Nov 2023 22:13:30 GMT"], now: now) == 10)
        #expect(AzureRetryPolicy.retryAfter(["Retry-After": "soon"]) == nil)
        #expect(AzureRetryPolicy.retryAfter([:]) == nil)
    }

    /// Before the clamp these converted a Double beyond Int64 (or NaN) to milliseconds and trapped.
    @Test func hostileSettingsAndHeadersSaturateInsteadOfTrapping() {
        let hour = Duration.seconds(3600)
        let uncapped = AzureRetryPolicy(maxRetries: 100, retryDelay: 1e300, maxRetryDelay: -1)
        #expect(uncapped.delay(beforeRetry: 100, retryAfter: nil) == hour)
        #expect(uncapped.delay(beforeRetry: Int.max, retryAfter: nil) == hour)
        #expect(uncapped.delay(beforeRetry: Int.min, retryAfter: nil) == hour)
        #expect(uncapped.delay(beforeRetry: 1, retryAfter: .infinity) == hour)
        #expect(uncapped.delay(beforeRetry: 1, retryAfter: 1e300) == hour)
        // 0 × 2^n with an infinite 2^n would be NaN.
        #expect(AzureRetryPolicy(retryDelay: 0, maxRetryDelay: -1).delay(beforeRetry: 5000, retryAfter: nil) == .zero)
        #expect(AzureRetryPolicy(retryDelay: .nan, maxRetryDelay: .nan).delay(beforeRetry: 3, retryAfter: nil) == .zero)
        #expect(
            AzureRetryPolicy(retryDelay: .infinity, maxRetryDelay: 60).delay(beforeRetry: 3, retryAfter: nil)
                == .seconds(60))
        #expect(
            AzureRetryPolicy(retryDelay: 2, maxRetryDelay: .infinity).delay(beforeRetry: 2000, retryAfter: nil) == hour)
        for header in ["inf", "Infinity", "nan", "1e400", "-1"] {
            #expect(AzureRetryPolicy.retryAfter(["Retry-After": header]) == nil, "\(header)")
            #expect(AzureRetryPolicy.retryAfter(["retry-after-ms": header]) == nil, "\(header)")
        }
    }

    @Test func retryableStatusesMatchTheSDK() {
        #expect(AzureRetryPolicy.retryableStatuses == [408, 429, 500, 502, 503, 504])
    }
}
