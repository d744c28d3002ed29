import Foundation

/// A fresh directory under the system temp dir for one test, removed afterwards however `body` ends.
///
/// ```swift
/// try await TemporaryDirectory.with { directory in
///     let physical = try await SQLitePhysical.open(path: directory.appendingPathComponent("coffer.db").path, …)
/// }
/// ```
public enum TemporaryDirectory {
    public static func with<T>(prefix: String = "coffer", _ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }
}
