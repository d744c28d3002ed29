import CofferFramework
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import KVSecrets
import Testing

@testable import CofferCore

/// Response wrapping through the core pipeline (docs/response-wrapping.md): wrapped answers, single-use wrapping
/// tokens, `sys/wrapping/*` and Vault's errors.
@Suite struct WrappingTests {
    static let invalid = ["wrapping token is not valid or does not exist"]

    /// A harness with KV version 1 at `secret/` holding `secret/app`.
    static func harness() async throws -> CoreHarness {
        let harness = try await CoreHarness.make()
        try #require(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        let mounted = await harness.request(.update, "sys/mounts/secret", ["type": "kv", "options": ["version": "1"]])
        try #require(mounted.status == 204)
        try #require(await harness.request(.update, "secret/app", ["password": "s3cr3t"]).status == 204)
        return harness
    }

    static func send(
        _ core: Core, _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:],
        token: String?, wrapTTL: Int64 = 0
    ) async -> CoreResponse {
        var request = CoreRequest(
            id: UUID().uuidString, operation: operation, path: path, data: data, token: token,
            remoteAddress: "127.0.0.1")
        request.wrapTTL = wrapTTL
        return await core.handle(request)
    }

    /// The JSON document of a raw answer (an unwrapped response).
    static func document(_ response: CoreResponse) throws -> [String: JSONValue] {
        guard case .raw(let bytes) = response.body else {
            Issue.record("not a raw answer: \(response.status) \(response.text)")
            return [:]
        }
        return try #require(try JSONParser.parse(bytes).objectValue)
    }

    @Test func aWrappedReadHidesTheSecretUntilUnwrappedOnce() async throws {
        let harness = try await Self.harness()
        let wrapped = await Self.send(harness.core, .read, "secret/app", token: harness.rootToken, wrapTTL: 300)
        let envelope = try #require(wrapped.envelope)
        let info = try #require(envelope.wrapInfo)
        #expect(wrapped.status == 200 && envelope.data == nil && envelope.auth == nil && envelope.requestID == "")
        #expect(info.ttl == 300 && info.creationPath == "secret/app" && info.token.hasPrefix("hvs."))
        #expect(info.wrappedAccessor.isEmpty && !info.accessor.isEmpty)
        #expect(!String(decoding: envelope.serialized(), as: UTF8.self).contains("s3cr3t"))
        let json = try #require(try JSONParser.parse(envelope.serialized()).objectValue?["wrap_info"]?.objectValue)
        #expect(json["ttl"] == .int(300) && json["wrapped_accessor"] == nil)
        #expect(json["creation_time"]?.stringValue?.hasSuffix("Z") == true)

        let token = await harness.request(.update, "auth/token/lookup-accessor", ["accessor": .string(info.accessor)])
        #expect(token.data["policies"] == .strings(["response-wrapping"]) && token.data["num_uses"] == .int(1))
        #expect(token.data["creation_ttl"] == .int(300) && token.data["explicit_max_ttl"] == .int(300))
        #expect(token.data["renewable"] == .bool(false) && token.data["path"] == "secret/app")
        #expect(token.data["orphan"] == .bool(true) && token.data["display_name"] == "")

        let unwrapped = await Self.send(harness.core, .update, "sys/wrapping/unwrap", token: info.token)
        let original = try Self.document(unwrapped)
        #expect(unwrapped.status == 200 && original["data"] == ["password": "s3cr3t"])
        #expect(original["request_id"]?.stringValue?.isEmpty == false)
        let again = await Self.send(harness.core, .update, "sys/wrapping/unwrap", token: info.token)
        #expect(again.status == 400 && again.errors == Self.invalid)
        let gone = await harness.request(.update, "auth/token/lookup-accessor", ["accessor": .string(info.accessor)])
        #expect(gone.status == 400)
    }

    @Test func unwrapNamesItsTokenInTheBodyOrHeaderWithVaultsErrors() async throws {
        let harness = try await Self.harness()
        let info = try #require(
            await Self.send(harness.core, .read, "secret/app", token: harness.rootToken, wrapTTL: 60).envelope?.wrapInfo
        )
        let unwrap = "sys/wrapping/unwrap"
        let noToken = await Self.send(harness.core, .update, unwrap, token: nil)
        #expect(noToken.status == 403 && noToken.errors == ["error validating wrapping token: token is empty"])
        let notString = await Self.send(harness.core, .update, unwrap, ["token": 5], token: harness.rootToken)
        #expect(
            notString.status == 403
                && notString.errors == ["error validating wrapping token: could not decode token in request body"])
        let empty = await Self.send(harness.core, .update, unwrap, ["token": ""], token: harness.rootToken)
        #expect(empty.status == 403 && empty.errors == ["error validating wrapping token: empty token in request body"])
        let ordinary = await Self.send(harness.core, .update, unwrap, token: harness.rootToken)
        #expect(ordinary.status == 400 && ordinary.errors == Self.invalid)
        let badCaller = await Self.send(
            harness.core, .update, unwrap, ["token": .string(info.token)], token: "hvs.nope")
        #expect(badCaller.status == 403)
        // The refused third party did not spend the wrapping token.
        let byRoot = await Self.send(
            harness.core, .update, unwrap, ["token": .string(info.token)], token: harness.rootToken)
        #expect(try Self.document(byRoot)["data"] == ["password": "s3cr3t"])
    }

    @Test func exactlyOneOfTwoRacingUnwrapsSucceeds() async throws {
        let harness = try await Self.harness()
        for _ in 0..<25 {
            let info = try #require(
                await Self.send(harness.core, .read, "secret/app", token: harness.rootToken, wrapTTL: 60).envelope?
                    .wrapInfo)
            async let first = Self.send(harness.core, .update, "sys/wrapping/unwrap", token: info.token)
            async let second = Self.send(
                harness.core, .update, "sys/wrapping/unwrap", ["token": .string(info.token)],
                token: harness.rootToken)
            let statuses = [await first, await second].map(\.status).sorted()
            #expect(statuses == [200, 400])
        }
    }

    @Test func wrappedTokenCreateAndLoginCarryTheWrappedAccessor() async throws {
        let harness = try await Self.harness()
        for (path, data) in [
            ("auth/token/create", ["policies": "default"] as [String: JSONValue]),
            ("auth/test/login", ["user": "alice"]),
        ] {
            let wrapped = await Self.send(harness.core, .update, path, data, token: harness.rootToken, wrapTTL: 120)
            let info = try #require(wrapped.envelope?.wrapInfo)
            #expect(wrapped.envelope?.auth == nil && info.creationPath == path && !info.wrappedAccessor.isEmpty)
            let original = try Self.document(
                await Self.send(harness.core, .update, "sys/wrapping/unwrap", token: info.token))
            let auth = try #require(original["auth"]?.objectValue)
            #expect(auth["accessor"]?.stringValue == info.wrappedAccessor)
            let inner = try #require(auth["client_token"]?.stringValue)
            #expect(await harness.request(.read, "auth/token/lookup-self", token: inner).status == 200)
        }
    }

    @Test func lookupDoesNotSpendTheTokenAndRewrapMovesThePayload() async throws {
        let harness = try await Self.harness()
        let wrapped = await Self.send(
            harness.core, .update, "sys/wrapping/wrap", ["a": "b"], token: harness.rootToken, wrapTTL: 120)
        let info = try #require(wrapped.envelope?.wrapInfo)
        #expect(info.creationPath == "sys/wrapping/wrap" && info.ttl == 120 && info.wrappedAccessor.isEmpty)
        for _ in 0..<2 {
            let lookup = await Self.send(
                harness.core, .update, "sys/wrapping/lookup", ["token": .string(info.token)], token: nil)
            #expect(lookup.data["creation_ttl"] == .int(120) && lookup.data["creation_path"] == "sys/wrapping/wrap")
            #expect(lookup.data["creation_time"] == .string(info.creationTimeText) && lookup.warnings.isEmpty)
        }
        let byHeader = await Self.send(harness.core, .read, "sys/wrapping/lookup", token: info.token)
        #expect(byHeader.data["creation_ttl"] == .int(120))

        let rewrapped = await Self.send(harness.core, .update, "sys/wrapping/rewrap", token: info.token)
        let fresh = try #require(try Self.document(rewrapped)["wrap_info"]?.objectValue)
        #expect(fresh["ttl"] == .int(120) && fresh["creation_path"] == "sys/wrapping/wrap")
        #expect(fresh["token"]?.stringValue != info.token)
        let old = await Self.send(harness.core, .update, "sys/wrapping/unwrap", token: info.token)
        #expect(old.status == 400 && old.errors == Self.invalid)
        let newToken = fresh["token"]?.stringValue
        let original = try Self.document(await Self.send(harness.core, .update, "sys/wrapping/unwrap", token: newToken))
        #expect(original["data"] == ["a": "b"] && original["a"] == "b")
    }

    @Test func onlySuccessfulAnswersWithABodyAreWrapped() async throws {
        let harness = try await Self.harness()
        let refused = await Self.send(harness.core, .update, "sys/wrapping/wrap", ["a": "b"], token: harness.rootToken)
        #expect(refused.status == 400 && refused.errors == ["endpoint requires response wrapping to be used"])
        let missing = await Self.send(harness.core, .read, "secret/none", token: harness.rootToken, wrapTTL: 60)
        #expect(missing.status == 404 && missing.envelope == nil)
        let written = await Self.send(
            harness.core, .update, "secret/other", ["k": "v"], token: harness.rootToken, wrapTTL: 60)
        #expect(written.status == 204)
        let denied = await Self.send(harness.core, .read, "secret/app", token: "hvs.unknown", wrapTTL: 60)
        #expect(denied.status == 403)
    }

    @Test func anExpiredWrappingTokenIsNotValid() async throws {
        let clock = ManualClock()
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories
        configuration.clock = { clock.seconds }
        let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
        let root = try await core.initialize(sealKey: SymmetricKey(size: .bits256))
        let wrapped = await Self.send(core, .update, "sys/wrapping/wrap", ["a": "b"], token: root, wrapTTL: 60)
        let info = try #require(wrapped.envelope?.wrapInfo)
        #expect(info.creationTime == clock.seconds)
        clock.advance(seconds: 61)
        let lookup = await Self.send(core, .update, "sys/wrapping/lookup", ["token": .string(info.token)], token: nil)
        #expect(lookup.status == 400 && lookup.errors == Self.invalid)
        let unwrap = await Self.send(core, .update, "sys/wrapping/unwrap", token: info.token)
        #expect(unwrap.status == 400 && unwrap.errors == Self.invalid)
        await core.seal()
    }

    @Test func policyWrappingBoundsDecideWhoMayReadWrapped() async throws {
        let harness = try await Self.harness()
        let policy = """
            path "secret/*" {
              capabilities = ["read"]
              min_wrapping_ttl = "1m"
              max_wrapping_ttl = "10m"
            }
            """
        try #require(
            await harness.request(.update, "sys/policies/acl/wrapped", ["policy": .string(policy)]).status == 204)
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "wrapped"]).clientToken)
        for (ttl, status) in [(Int64(0), 403), (30, 403), (300, 200), (3600, 403)] {
            let answer = await Self.send(harness.core, .read, "secret/app", token: token, wrapTTL: ttl)
            #expect(answer.status == status, "wrap ttl \(ttl)")
        }
    }

    @Test func theAuditLogHashesWrapInfoAndNeverHoldsTheWrappedSecret() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await Self.harness()
            let file = directory.appendingPathComponent("audit.log")
            try await harness.enableFileAudit(file: file)
            let log = AuditLog(url: file)
            let wrapped = await Self.send(
                harness.core, .update, "auth/token/create", ["policies": "default"], token: harness.rootToken,
                wrapTTL: 60)
            let info = try #require(wrapped.envelope?.wrapInfo)
            let logged = try #require(log.pair("auth/token/create").response["response"]?["wrap_info"]?.objectValue)
            #expect(logged["token"] == .string(await harness.auditHash(info.token) ?? ""))
            #expect(logged["accessor"] == .string(await harness.auditHash(info.accessor) ?? ""))
            #expect(logged["wrapped_accessor"] == .string(await harness.auditHash(info.wrappedAccessor) ?? ""))
            #expect(logged["ttl"] == .int(60) && logged["creation_path"] == "auth/token/create")
            #expect(logged["creation_time"] == .string(info.creationTimeText))
            _ = await Self.send(harness.core, .update, "sys/wrapping/unwrap", token: info.token)
            let read = await Self.send(harness.core, .read, "secret/app", token: harness.rootToken, wrapTTL: 60)
            let readInfo = try #require(read.envelope?.wrapInfo)
            _ = await Self.send(harness.core, .update, "sys/wrapping/unwrap", token: readInfo.token)
            #expect(!log.text.contains(info.token) && !log.text.contains(readInfo.token))
            #expect(!log.text.contains("s3cr3t"))
        }
    }
}
