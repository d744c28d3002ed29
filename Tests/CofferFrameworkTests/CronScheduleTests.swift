import CofferFramework
import Foundation
import Testing

@Suite struct CronScheduleTests {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func nextFireTimes() throws {
        #expect(
            try CronSchedule("*/15 * * * *").nextFire(after: date("2026-11-29T10:07:30Z"))
                == date("2026-11-29T10:15:00Z"))
        #expect(
            try CronSchedule("0 3 * * *").nextFire(after: date("2026-11-29T03:00:00Z")) == date("2026-11-30T03:00:00Z"))
        #expect(
            try CronSchedule("30 2 1 * *").nextFire(after: date("2026-11-29T00:00:00Z")) == date("2026-12-01T02:30:00Z")
        )
        // 2026-11-29 is a Sunday: the next weekday 09:00 is Monday.
        #expect(
            try CronSchedule("0 9 * * MON-FRI").nextFire(after: date("2026-11-29T12:00:00Z"))
                == date("2026-11-30T09:00:00Z"))
        #expect(
            try CronSchedule("0 0 1 JAN *").nextFire(after: date("2026-11-29T00:00:00Z"))
                == date("2027-01-01T00:00:00Z"))
        #expect(
            try CronSchedule("0 0 * * 7").nextFire(after: date("2026-11-29T01:00:00Z")) == date("2026-12-06T00:00:00Z"))
        // Both day fields restricted: either matches (Vixie cron).
        #expect(
            try CronSchedule("0 0 15 * SUN").nextFire(after: date("2026-11-29T01:00:00Z"))
                == date("2026-12-06T00:00:00Z"))
        #expect(try CronSchedule("0 0 31 2 *").nextFire(after: date("2026-11-29T00:00:00Z")) == nil)
    }

    @Test func invalidExpressionsAreRefusedClearly() {
        for (text, fragment) in [
            ("* * * *", "exactly 5 fields"), ("61 * * * *", "minute value 61 out of range"),
            ("* 24 * * *", "hour value 24"), ("* * 0 * *", "day-of-month value 0"),
            ("* * * FOO *", "invalid month value"),
            ("*/0 * * * *", "invalid step"), ("5-1 * * * *", "invalid range"), ("1,,2 * * * *", "empty entry"),
        ] {
            do {
                _ = try CronSchedule(text)
                Issue.record("\(text) should be refused")
            } catch let error as CronSchedule.ParseError {
                #expect(error.description.contains(fragment), "\(text): \(error.description)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
