import CofferFramework
import Foundation

/// When automated root rotation is next due (`rotation_period` or `rotation_schedule` + `rotation_window`).
///
/// ```swift
/// let schedule = try RotationSchedule(config)          // nil when automated rotation is off
/// schedule?.nextRotation(lastRotation: state.lastRotation, anchor: state.anchor, now: Date())
/// ```
///
/// Rotations are counted from the last rotation (or, before the first, from when the settings were written), so
/// after downtime a missed rotation happens once, at the next check, and the clock restarts from it. A scheduled
/// rotation with a window is only caught up while its window is open; otherwise it waits for the next fire time.
struct RotationSchedule: Sendable {
    enum Kind: Sendable {
        case period(Double)
        case cron(CronSchedule, window: Double)
    }

    let kind: Kind

    /// Nil when automated rotation is disabled or not configured.
    init?(_ config: AzureConfig) throws {
        guard !config.disableAutomatedRotation else { return nil }
        if config.rotationPeriod > 0 {
            kind = .period(Double(config.rotationPeriod))
        } else if !config.rotationSchedule.isEmpty {
            kind = .cron(try Self.parse(config.rotationSchedule), window: Double(config.rotationWindow))
        } else {
            return nil
        }
    }

    static func parse(_ expression: String) throws -> CronSchedule {
        do {
            return try CronSchedule(expression)
        } catch {
            throw LogicalError.badRequest("failed to parse provided rotation_schedule: \(error)")
        }
    }

    /// The time the next rotation is due; may be in the past (then it is due now).
    func nextRotation(lastRotation: Double?, anchor: Double?, now: Date) -> Date? {
        let start = Date(timeIntervalSince1970: max(lastRotation ?? 0, anchor ?? 0))
        switch kind {
        case .period(let seconds):
            return start.addingTimeInterval(seconds)
        case .cron(let cron, let window):
            guard let fire = cron.nextFire(after: start) else { return nil }
            if window > 0, now.timeIntervalSince(fire) > window {
                return cron.nextFire(after: now)
            }
            return fire
        }
    }
}
