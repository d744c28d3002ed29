import CofferCore
import CofferFramework
import CofferTesting
import Foundation

@testable import AppRoleAuth

/// A core with AppRole mounted at `auth/approle` and a clock the test moves.
///
/// ```swift
/// let lab = try await AppRoleLab.make()
/// let (roleID, secretID) = try await lab.credentials(role: "ci", ["secret_id_num_uses": 3])
/// ```
struct AppRoleLab {
    let harness: CoreHarness
    let clock: ManualClock

    static func make() async throws -> AppRoleLab {
        let clock = ManualClock()
        let harness = try await CoreHarness.make(extraBackends: [AppRoleAuthMethod.factory(now: { clock.seconds })])
        let enable = await harness.request(.update, "sys/auth/approle", ["type": "approle"])
        guard enable.status == 204 else { throw LabError("enable approle: \(enable.status) \(enable.text)") }
        return AppRoleLab(harness: harness, clock: clock)
    }

    func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil,
        from address: String = "127.0.0.1"
    ) async -> CoreResponse {
        await harness.request(operation, "auth/approle/" + path, data, token: token, remoteAddress: address)
    }

    /// Creates `role` with `fields`, then returns its role id and a new secret id.
    func credentials(role: String, _ fields: [String: JSONValue] = [:], secretID: [String: JSONValue] = [:])
        async throws -> (roleID: String, secretID: String)
    {
        let write = await request(.update, "role/\(role)", fields)
        guard write.status == 204 || write.status == 200 else { throw LabError("role: \(write.text)") }
        guard let roleID = await request(.read, "role/\(role)/role-id").data["role_id"]?.stringValue else {
            throw LabError("no role id")
        }
        let generated = await request(.update, "role/\(role)/secret-id", secretID)
        guard let secret = generated.data["secret_id"]?.stringValue else { throw LabError("secret: \(generated.text)") }
        return (roleID, secret)
    }

    func login(_ roleID: String, _ secretID: String?, from address: String = "127.0.0.1") async -> CoreResponse {
        var body: [String: JSONValue] = ["role_id": .string(roleID)]
        body["secret_id"] = secretID.map(JSONValue.string) ?? .null
        return await request(.update, "login", body, token: "", from: address)
    }
}

struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
