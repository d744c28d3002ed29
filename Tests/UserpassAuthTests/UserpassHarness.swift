import CofferCore
import CofferFramework
import CofferTesting
import Testing
import UserpassAuth

/// A core with userpass mounted at `auth/userpass/` and a manual clock for the lockout.
///
/// ```swift
/// let lab = try await UserpassHarness.make()
/// await lab.harness.request(.update, "auth/userpass/users/alice", ["password": "pw"])
/// ```
struct UserpassHarness {
    let harness: CoreHarness
    let clock: ManualClock

    static func make() async throws -> UserpassHarness {
        let clock = ManualClock()
        let harness = try await CoreHarness.make(extraBackends: [UserpassAuthMethod.factory(now: { clock.seconds })])
        try #require(await harness.request(.update, "sys/auth/userpass", ["type": "userpass"]).status == 204)
        return UserpassHarness(harness: harness, clock: clock)
    }

    @discardableResult
    func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil,
        remoteAddress: String? = "127.0.0.1"
    ) async -> CoreResponse {
        await harness.request(operation, path, data, token: token, remoteAddress: remoteAddress)
    }

    func login(_ name: String, _ password: String, remoteAddress: String? = "127.0.0.1") async -> CoreResponse {
        await request(
            .update, "auth/userpass/login/" + name, ["password": .string(password)], token: "",
            remoteAddress: remoteAddress)
    }

    /// The record as the barrier stores it (decrypted), or nil.
    func storedRecord(_ name: String) async throws -> [UInt8]? {
        let mounts = await request(.read, "sys/auth").data
        let uuid = try #require(mounts["userpass/"]?.objectValue?["uuid"]?.stringValue)
        return try await harness.core.barrier.get("auth/\(uuid)/user/\(name)")
    }
}
