import CofferFramework
import Testing

@testable import KVSecrets

@Suite("KV v2 write serialisation")
struct ConcurrencyTests {
    @Test("20 concurrent writes with the same cas: exactly one wins")
    func casRace() async throws {
        let kv = KVHarness()
        try await kv.put("race", ["v": 0])
        let outcomes = await withTaskGroup(of: Result<Int64, LogicalError>.self) { group in
            for writer in 0..<20 {
                group.addTask {
                    do {
                        let written = try await kv.put("race", ["writer": .int(Int64(writer))], options: ["cas": 1])
                        guard case .int(let version)? = written["version"] else { return .failure(.internalError) }
                        return .success(version)
                    } catch let error as LogicalError {
                        return .failure(error)
                    } catch {
                        return .failure(.internalError)
                    }
                }
            }
            var all: [Result<Int64, LogicalError>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let wins = outcomes.compactMap { try? $0.get() }
        #expect(wins == [2])
        let losses = outcomes.compactMap { outcome -> LogicalError? in
            if case .failure(let error) = outcome { return error }
            return nil
        }
        #expect(losses.count == 19)
        #expect(losses.allSatisfy { $0 == .bad("check-and-set parameter did not match the current version") })
        #expect(try await kv.metadata("race")["current_version"] == 2)
    }

    @Test("concurrent unconditional writes to one key get distinct consecutive versions")
    func noLostUpdates() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["max_versions": 50])
        let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for writer in 0..<30 {
                group.addTask {
                    let written = try await kv.put("busy", ["writer": .int(Int64(writer))])
                    guard case .int(let version)? = written["version"] else { return -1 }
                    return version
                }
                group.addTask {
                    // Readers run alongside and never see a torn state.
                    do {
                        let response = try await kv.send(.read, "data/busy")
                        #expect(response?.data?["data"]?["writer"] != nil)
                    } catch let error as LogicalError where error == .notFound {
                        // Ran before the first write.
                    }
                    return 0
                }
            }
            var all: [Int64] = []
            for try await version in group where version != 0 { all.append(version) }
            return all
        }
        #expect(versions.sorted() == Array(1...30))
        #expect(try await kv.metadata("busy")["current_version"] == 30)
    }

    @Test("writers of different keys do not block each other")
    func independentKeys() async throws {
        let kv = KVHarness()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask { try await kv.put("key\(index)", ["i": .int(Int64(index))], options: ["cas": 0]) }
            }
            try await group.waitForAll()
        }
        #expect(try await kv.send(.list, "metadata/")?.data?["keys"]?.arrayValue?.count == 20)
    }
}
