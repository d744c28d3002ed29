import Foundation

/// A standard 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
///
/// Fields accept `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`; months `JAN`–`DEC` and
/// weekdays `SUN`–`SAT` (0 or 7 = Sunday). As in Vixie cron, when both day-of-month and day-of-week are
/// restricted, a day matching either one runs.
///
/// ```swift
/// let schedule = try CronSchedule("0 3 * * MON-FRI")
/// schedule.nextFire(after: Date())   // the next weekday 03:00 UTC
/// ```
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(_ expression: String) throws {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(
                description:
                    "expected exactly 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        description = expression
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31, names: [])
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, nameOffset: 1)
        var weekdays = try Self.field(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames)
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        daysOfWeek = weekdays
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    static func value(_ text: String, name: String, range: ClosedRange<Int>, names: [String], nameOffset: Int) throws
        -> Int
    {
        if let number = Int(text) {
            guard range.contains(number) else {
                throw ParseError(
                    description: "\(name) value \(number) out of range \(range.lowerBound)-\(range.upperBound)")
            }
            return number
        }
        if let index = names.firstIndex(of: text.uppercased()) { return index + nameOffset }
        throw ParseError(description: "invalid \(name) value \"\(text)\"")
    }

    static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], nameOffset: Int = 0)
        throws
        -> Set<Int>
    {
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw ParseError(description: "empty entry in \(name) field \"\(text)\"") }
            var base = part
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                base = String(part[..<slash])
                guard let parsed = Int(part[part.index(after: slash)...]), parsed > 0 else {
                    throw ParseError(description: "invalid step in \(name) field \"\(part)\"")
                }
                step = parsed
            }
            let lower: Int
            let upper: Int
            if base == "*" {
                (lower, upper) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                lower = try value(String(base[..<dash]), name: name, range: range, names: names, nameOffset: nameOffset)
                upper = try value(
                    String(base[base.index(after: dash)...]), name: name, range: range, names: names,
                    nameOffset: nameOffset)
                guard lower <= upper else {
                    throw ParseError(description: "invalid range in \(name) field \"\(part)\"")
                }
            } else {
                lower = try value(base, name: name, range: range, names: names, nameOffset: nameOffset)
                upper = part.contains("/") ? range.upperBound : lower
            }
            result.formUnion(stride(from: lower, through: upper, by: step))
        }
        return result
    }

    /// The first time strictly after `date` (at a whole minute, UTC) the schedule fires; nil if never
    /// within eight years (e.g. `0 0 31 2 *`).
    public func nextFire(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        var candidate = Date(timeIntervalSince1970: start)
        let limit = date.addingTimeInterval(8 * 366 * 86_400)
        while candidate < limit {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute,
                let weekday = parts.weekday
            else { return nil }
            if !months.contains(month) {
                candidate = calendar.date(from: DateComponents(year: parts.year, month: month + 1, day: 1)) ?? limit
                continue
            }
            let domMatch = daysOfMonth.contains(day)
            let dowMatch = daysOfWeek.contains(weekday - 1)
            let dayMatches: Bool
            switch (dayOfMonthRestricted, dayOfWeekRestricted) {
            case (true, true): dayMatches = domMatch || dowMatch
            case (true, false): dayMatches = domMatch
            case (false, true): dayMatches = dowMatch
            case (false, false): dayMatches = true
            }
            if !dayMatches {
                candidate = calendar.date(from: DateComponents(year: parts.year, month: month, day: day + 1)) ?? limit
                continue
            }
            if !hours.contains(hour) {
                candidate = candidate.addingTimeInterval(Double(60 - minute) * 60)
                continue
            }
            if !minutes.contains(minute) {
                candidate = candidate.addingTimeInterval(60)
                continue
            }
            return candidate
        }
        return nil
    }
}
