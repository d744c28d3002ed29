import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CofferPostgres
@testable import CofferStorage

/// The PostgreSQL the storage tests use, found through `COFFER_TEST_POSTGRES_URL` (scripts/test starts one and sets
/// it). Each test gets tables of its own (`coffer_t<random>`), dropped afterwards, so tests run in parallel.
/// With `COFFER_TEST_POSTGRES_REQUIRED=1` a missing or unreachable database fails the tests; without it and without
/// a URL they are skipped, with a visible reason.
///
/// ```swift
/// try await PostgresTestDatabase.withPhysical { physical, settings in try await physical.put("k", value: [1]) }
/// ```
enum PostgresTestDatabase {
    static var url: String? {
        guard let url = ProcessInfo.processInfo.environment["COFFER_TEST_POSTGRES_URL"], !url.isEmpty else {
            return nil
        }
        return url
    }

    static var isRequired: Bool { ProcessInfo.processInfo.environment["COFFER_TEST_POSTGRES_REQUIRED"] == "1" }

    /// Run the PostgreSQL cases when a database is given, or when one is required (they then fail without it).
    static var isEnabled: Bool { url != nil || isRequired }

    static let skipReason: Comment =
        "COFFER_TEST_POSTGRES_URL is unset: PostgreSQL storage tests skipped (scripts/test starts PostgreSQL and sets it)"

    /// Settings for a fresh table of the test database.
    static func settings() throws -> PostgresStorageConfiguration {
        guard let url else {
            throw StorageError.backend("COFFER_TEST_POSTGRES_REQUIRED=1 but COFFER_TEST_POSTGRES_URL is unset")
        }
        var settings = try PostgresStorageConfiguration(connectionURL: url)
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        settings.table = "coffer_t\(suffix)"
        settings.applicationName = "coffer-test-\(suffix)"
        settings.maxParallel = 8
        return settings
    }

    /// A ``PostgresPhysical`` on a table of its own, closed and dropped after `body`.
    static func withPhysical(
        _ settings: PostgresStorageConfiguration? = nil,
        _ body: (PostgresPhysical, PostgresStorageConfiguration) async throws -> Void
    ) async throws {
        let settings = try settings ?? Self.settings()
        let physical = try await PostgresPhysical.open(settings, logger: testLogger)
        do {
            try await body(physical, settings)
        } catch {
            await physical.close()
            try? await dropTables(settings)
            throw error
        }
        await physical.close()
        try await dropTables(settings)
    }

    /// A raw client on the test database, for what the tests inspect or break behind the store's back.
    @discardableResult
    static func withClient<T: Sendable>(
        _ settings: PostgresStorageConfiguration, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        var raw = settings
        raw.applicationName = "coffer-test-inspector"
        let client = PostgresClient(configuration: PostgresPhysical.clientConfiguration(raw))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func dropTables(_ settings: PostgresStorageConfiguration) async throws {
        try await withClient(settings) { client in
            try await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(settings.table)\"")")
            try await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(settings.table)_schema\"")")
        }
    }
}
