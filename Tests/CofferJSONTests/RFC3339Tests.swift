import CofferJSON
import Foundation
import Testing

@Suite struct RFC3339Tests {
    @Test func nanosecondsAreTrimmedAsGoTrimsThem() {
        #expect(RFC3339.string(nanosecondsSinceEpoch: 1_732_838_400_123_456_789) == "2024-11-29T00:00:00.123456789Z")
        #expect(RFC3339.string(nanosecondsSinceEpoch: 1_732_838_400_120_000_000) == "2024-11-29T00:00:00.12Z")
        #expect(RFC3339.string(nanosecondsSinceEpoch: 1_732_838_400_000_000_000) == "2024-11-29T00:00:00Z")
        #expect(RFC3339.string(nanosecondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.string(nanosecondsSinceEpoch: -1) == "1969-12-31T23:59:59.999999999Z")
        #expect(RFC3339.string(nanosecondsSinceEpoch: .max) == "2262-04-11T23:47:16.854775807Z")
        #expect(RFC3339.string(nanosecondsSinceEpoch: .min) == "1677-09-21T00:12:43.145224192Z")
    }

    @Test func fractionStyles() {
        let nanos: Int64 = 1_732_838_400_123_456_789
        #expect(RFC3339.string(nanosecondsSinceEpoch: nanos, fraction: .none) == "2024-11-29T00:00:00Z")
        #expect(RFC3339.string(nanosecondsSinceEpoch: nanos, fraction: .milliseconds) == "2024-11-29T00:00:00.123Z")
        #expect(RFC3339.string(seconds: 0, nanoseconds: 0, fraction: .milliseconds) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1.75), fraction: .none) == "1970-01-01T00:00:01Z")
    }

    @Test func fractionalUnixSecondsRoundToTheNanosecond() {
        #expect(RFC3339.string(unixSeconds: 1.5) == "1970-01-01T00:00:01.5Z")
        #expect(RFC3339.string(unixSeconds: 0.999_999_999_9) == "1970-01-01T00:00:01Z")
        #expect(RFC3339.string(unixSeconds: -0.5) == "1969-12-31T23:59:59.5Z")
        #expect(RFC3339.string(unixSeconds: 951_782_400) == "2000-02-29T00:00:00Z")
        // Out of range and NaN are pinned, never a trap.
        #expect(RFC3339.string(unixSeconds: .nan).hasSuffix("Z"))
        #expect(RFC3339.string(unixSeconds: 1e300).hasSuffix("Z"))
        #expect(RFC3339.string(unixSeconds: -.infinity).hasPrefix("-"))
    }

    @Test func goTimeStringForm() {
        #expect(RFC3339.goString(unixSeconds: 0) == "1970-01-01 00:00:00 +0000 UTC")
        #expect(RFC3339.goString(unixSeconds: 1_700_000_000) == "2023-11-14 22:13:20 +0000 UTC")
        #expect(RFC3339.goString(unixSeconds: RFC3339.goZeroTime) == "0001-01-01 00:00:00 +0000 UTC")
        #expect(RFC3339.goString(unixSeconds: -1) == "1969-12-31 23:59:59 +0000 UTC")
    }

    @Test func parsesOffsetsAndFractions() {
        let instant = RFC3339.Instant(seconds: 1_732_838_400, nanoseconds: 0)
        #expect(RFC3339.parse("2024-11-29T00:00:00Z") == instant)
        #expect(RFC3339.parse("2024-11-29T01:00:00+01:00") == instant)
        #expect(RFC3339.parse("2024-11-28T19:00:00-05:00") == instant)
        #expect(RFC3339.parse("2024-11-29t00:00:00z") == instant)
        #expect(RFC3339.parse("2024-11-29T05:30:00.5+05:30") == .init(seconds: 1_732_838_400, nanoseconds: 500_000_000))
        #expect(RFC3339.parse("2024-11-29T00:00:00.1234567891Z")?.nanoseconds == 123_456_789)
        #expect(RFC3339.parse("1969-12-31T23:59:59.999999999Z") == .init(seconds: -1, nanoseconds: 999_999_999))
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        #expect(RFC3339.date("1970-01-01T00:00:01.25Z") == Date(timeIntervalSince1970: 1.25))
    }

    @Test func refusesWhatGoRefuses() {
        for bad in [
            "", "2024-11-29", "2024-11-29T00:00:00", "2024-11-29 00:00:00Z", "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-11-29T24:00:00Z",
            "2024-11-29T00:60:00Z", "2024-11-29T00:00:60Z", "2024-11-29T00:00:00.Z", "2024-11-29T00:00:00+01:60",
            "2024-11-29T00:00:00+0100", "2024-11-29T00:00:00Zjunk", "2024-1-29T00:00:00Z", "+024-11-29T00:00:00Z",
        ] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func roundTripsThroughTheFormatter() {
        let samples: [Int64] = [
            0, 1, -1, 999_999_999, 1_000_000_000, 951_782_400_000_000_001, 1_732_838_400_123_456_789, .max, .min,
            -62_135_596_800 / 1000 * 1_000_000_000,
        ]
        for nanos in samples {
            let text = RFC3339.string(nanosecondsSinceEpoch: nanos)
            guard let instant = RFC3339.parse(text) else {
                Issue.record("\(text) did not parse")
                continue
            }
            let (seconds, remainder) = nanos.quotientAndRemainder(dividingBy: 1_000_000_000)
            let expected = remainder < 0 ? (seconds - 1, remainder + 1_000_000_000) : (seconds, remainder)
            #expect(instant.seconds == expected.0 && instant.nanoseconds == expected.1, "\(text)")
        }
    }
}
