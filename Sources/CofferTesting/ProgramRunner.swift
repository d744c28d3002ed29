import Foundation

/// Runs a program to completion for a test, its output going through files so a full pipe can never block it.
/// ``DevServer`` runs `coffer` commands through it; other harnesses run the simulator's clients or the examples.
///
/// ```swift
/// let result = try await ProgramRunner.run(try DevServer.binaryPath, ["version"], environment: [:], scratch: home)
/// #expect(result.status == 0)
/// ```
public enum ProgramRunner {
    /// Runs `executable` with `arguments` and exactly `environment`, feeding it `stdin` (empty when nil). Its files
    /// live in a fresh directory under `scratch`, removed when it ends.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String? = nil,
        scratch: String
    ) async throws -> DevServer.Result {
        let directory = scratch + "/run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outPath = directory + "/out", errPath = directory + "/err", inPath = directory + "/in"
        for path in [outPath, errPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        _ = FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return DevServer.Result(
            status: status, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
