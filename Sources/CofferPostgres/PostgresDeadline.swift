import CofferStorage
import Synchronization

/// Runs one storage operation against PostgreSQL within a time bound, retrying outage errors with backoff.
///
/// The caller is answered by the deadline even if the attempt itself hangs (a lease waiting for a server that is
/// down, a query on a dead socket): the attempt is cancelled and left to end in the background, and the caller
/// gets ``StorageError/unavailable(_:)``, which the HTTP layer turns into a 503. Errors that are not outages fail
/// at once.
///
/// ```swift
/// let value = try await PostgresDeadline(timeout: .seconds(5)).run { try await fetch() }
/// ```
struct PostgresDeadline: Sendable {
    let timeout: Duration
    /// First pause after a failed attempt; it doubles up to ``maximumBackoff``.
    var initialBackoff: Duration = .milliseconds(20)
    var maximumBackoff: Duration = .milliseconds(500)

    /// `body`, retried until it succeeds, fails for good, or the deadline passes. `attempt` receives the task that
    /// runs the attempts, so a caller can wait for an abandoned attempt to end before it writes again.
    func run<T: Sendable>(
        _ body: @escaping @Sendable () async throws -> T,
        attempt: (@Sendable (Task<Void, Never>) -> Void)? = nil
    ) async throws -> T {
        let race = DeadlineRace<T>()
        let retrying = retryLoop(body, race: race)
        let timeout = self.timeout
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let work = Task {
                do { race.finish(.success(try await retrying())) } catch { race.finish(.failure(error)) }
            }
            attempt?(work)
            race.arm(
                Task {
                    // Cancelled (ending at once) when the work answers first.
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    if race.expire(timeout: timeout) { work.cancel() }
                })
        }
    }

    private func retryLoop<T: Sendable>(
        _ body: @escaping @Sendable () async throws -> T, race: DeadlineRace<T>
    ) -> @Sendable () async throws -> T {
        let initial = initialBackoff
        let maximum = maximumBackoff
        return {
            var backoff = initial
            while true {
                do {
                    return try await body()
                } catch  where PostgresFailure.isTransient(error) && !Task.isCancelled {
                    race.noteFailure(PostgresFailure.describe(error))
                    try await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, maximum)
                } catch let error as HAFencedError {
                    throw error
                } catch {
                    throw PostgresFailure.storageError(error)
                }
            }
        }
    }
}
