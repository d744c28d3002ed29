import CofferFramework
import CofferStorage
import CofferTesting
import Synchronization
import Testing

@testable import KVSecrets

extension ManualClock {
    /// The shared clock's start as a KV timestamp: 2024-11-29T00:00:00.123456789Z.
    static var start: KVTimestamp { KVTimestamp(nanoseconds: startNanoseconds) }
}

/// One KV mount with its storage and clock, driven the way the core drives a backend: POST/PUT
/// arrive as `update` and become `create` when the path's existence check says the item is missing.
///
/// ```swift
/// let kv = KVHarness()
/// _ = try await kv.send(.update, "data/app", ["data": ["user": "a"]])
/// let read = try await kv.send(.read, "data/app")
/// ```
struct KVHarness {
    let storage = MemoryStorage()
    let clock = ManualClock()
    let backend: any LogicalBackend

    init(version: Int = 2) {
        if version == 2 {
            let clock = self.clock
            backend = KVBackend.makeVersioned(clock: { KVTimestamp(nanoseconds: clock.nanoseconds) })
        } else {
            backend = PassthroughKVBackend()
        }
    }

    func request(_ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:]) -> LogicalRequest {
        LogicalRequest(
            operation: operation, path: path, data: data, mountPoint: "secret/", mountType: "kv", storage: storage)
    }

    func send(_ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:]) async throws
        -> LogicalResponse?
    {
        var request = request(operation, path, data)
        if operation == .update, let exists = try await backend.existenceCheck(request), !exists {
            request.operation = .create
        }
        return try await backend.handle(request)
    }

    /// Writes `data` to `data/<path>` and returns the response data (version metadata).
    @discardableResult
    func put(_ path: String, _ data: [String: JSONValue], options: [String: JSONValue] = [:]) async throws
        -> [String: JSONValue]
    {
        let response = try await send(.update, "data/" + path, ["data": .object(data), "options": .object(options)])
        return try #require(response?.data)
    }

    func error(_ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:]) async -> LogicalError?
    {
        do {
            _ = try await send(operation, path, data)
            return nil
        } catch let error as LogicalError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    func metadata(_ path: String) async throws -> [String: JSONValue] {
        try #require(try await send(.read, "metadata/" + path)?.data)
    }
}

extension LogicalError {
    static func bad(_ message: String) -> LogicalError { .badRequest(message) }
    /// A 400 the HTTP layer renders as one go-multierror text.
    static func badMulti(_ messages: String...) -> LogicalError {
        LogicalError(status: 400, messages: messages, isMultiError: true)
    }
}

let startText = "2024-11-29T00:00:00.123456789Z"
