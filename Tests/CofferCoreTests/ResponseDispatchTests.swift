import CofferCore
import CofferFramework
import CofferTesting
import Testing

/// The core answers each ``LogicalResponse`` case by what it means, and hands backends the caller's token entry.
@Suite struct ResponseDispatchTests {
    /// A secrets engine whose paths each answer one case, and one that reports what it learned about its caller.
    static let secrets = BackendFactory(type: "dispatch-test", kind: .secrets) { _ in
        FrameworkBackend(
            kind: .secrets,
            paths: [
                read("envelope") { _ in LogicalResponse(data: ["a": 1], warnings: ["w"]) },
                read("gone") { _ in LogicalResponse(data: ["gone": true], statusCode: 404) },
                read("bare") { _ in LogicalResponse(statusCode: 404) },
                read("accepted") { _ in LogicalResponse(warnings: ["started"], statusCode: 202) },
                read("top") { _ in LogicalResponse(data: ["k": "v"], injectDataAtTopLevel: true) },
                read("raw") { _ in .raw(["issuer": "https://x"], status: 200) },
                read("issued") { _ in .issuedToken(auth: ["client_token": "minted"], warnings: ["w"]) },
                read("login") { _ in .login(Auth(policies: ["p"], displayName: "x")) },
                PathDefinition("empty/", operations: [.list: PathOperation { _, _ in .list([]) }]),
                read("caller") { request in
                    let entry = request.tokenEntry as? TokenEntry
                    return LogicalResponse(data: [
                        "accessor": .string(entry?.accessor ?? ""), "policies": .strings(entry?.policies ?? []),
                        "identity_accessor": .string(request.identity?.accessor ?? ""),
                    ])
                },
                read("public", unauthenticated: true) { request in
                    LogicalResponse(data: ["has_caller": .bool(request.tokenEntry != nil)])
                },
            ])
    }

    /// An auth method whose login answers data and warnings beside the `Auth`.
    static let credential = BackendFactory(type: "dispatch-auth", kind: .credential) { _ in
        FrameworkBackend(
            kind: .credential,
            paths: [
                PathDefinition(
                    "login",
                    operations: [
                        .update: PathOperation { _, _ in
                            .login(
                                Auth(policies: ["dev"], displayName: "bob", ttl: 600), data: ["extra": 1],
                                warnings: ["from the method"])
                        }
                    ], unauthenticated: true)
            ])
    }

    static func read(
        _ path: String, unauthenticated: Bool = false,
        _ answer: @escaping @Sendable (LogicalRequest) async throws -> LogicalResponse
    ) -> PathDefinition {
        PathDefinition(
            path, operations: [.read: PathOperation { request, _ in try await answer(request) }],
            unauthenticated: unauthenticated)
    }

    func harness() async throws -> CoreHarness {
        let harness = try await CoreHarness.make(extraBackends: [Self.secrets, Self.credential])
        #expect(await harness.request(.update, "sys/mounts/d", ["type": "dispatch-test"]).status == 204)
        #expect(await harness.request(.update, "sys/auth/da", ["type": "dispatch-auth"]).status == 204)
        return harness
    }

    @Test func envelopeCasesKeepTheirDataWarningsAndStatus() async throws {
        let harness = try await harness()
        let plain = await harness.request(.read, "d/envelope")
        #expect(plain.status == 200)
        #expect(plain.data == ["a": 1])
        #expect(plain.envelope?.warnings == ["w"])
        #expect(plain.envelope?.mountType == "dispatch-test")
        let gone = await harness.request(.read, "d/gone")
        #expect(gone.status == 404)
        #expect(gone.data == ["gone": true])
        let accepted = await harness.request(.read, "d/accepted")
        #expect(accepted.status == 202)
        #expect(accepted.envelope?.warnings == ["started"])
        let top = await harness.request(.read, "d/top")
        #expect(top.envelope?.injectDataAtTopLevel == true)
    }

    @Test func aStatusWithNothingElseIsBare() async throws {
        let bare = try await harness().request(.read, "d/bare")
        #expect(bare.status == 404)
        guard case .empty = bare.body else {
            Issue.record("expected no body, got \(bare.body)")
            return
        }
    }

    @Test func anEmptyListIsNotFound() async throws {
        let empty = try await harness().request(.list, "d/empty")
        #expect(empty.error == .notFound)
    }

    @Test func rawDocumentsAreSentAsTheyAre() async throws {
        let raw = try await harness().request(.read, "d/raw")
        #expect(raw.status == 200)
        guard case .raw(let bytes) = raw.body else {
            Issue.record("expected a raw body, got \(raw.body)")
            return
        }
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"issuer":"https://x"}"#)
    }

    @Test func anIssuedTokenGoesOutAsTheAuthBlock() async throws {
        let issued = try await harness().request(.read, "d/issued")
        #expect(issued.status == 200)
        #expect(issued.auth == ["client_token": "minted"])
        #expect(issued.envelope?.data == nil)
        #expect(issued.envelope?.warnings == ["w"])
    }

    @Test func aLoginFromAnAuthMethodBecomesAUsableToken() async throws {
        let harness = try await harness()
        let login = await harness.core.handle(CoreRequest(operation: .update, path: "auth/da/login"))
        #expect(login.status == 200)
        #expect(login.data == ["extra": 1])
        #expect(login.envelope?.warnings == ["from the method"])
        #expect(login.auth["policies"] == .strings(["default", "dev"]))
        #expect(login.auth["lease_duration"] == .int(600))
        let token = try #require(login.clientToken)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 200)
    }

    @Test func aSecretsEngineCannotMintALoginToken() async throws {
        let login = try await harness().request(.read, "d/login")
        #expect(login.error == .internalError)
        #expect(login.auth.isEmpty)
    }

    @Test func theCallersEntryTravelsInTheRequest() async throws {
        let harness = try await harness()
        let created = await harness.request(.update, "auth/token/create", ["policies": "reader"])
        let token = try #require(created.clientToken)
        let accessor = try #require(created.auth["accessor"]?.stringValue)
        let policy = #"path "d/*" { capabilities = ["read"] }"#
        #expect(await harness.request(.update, "sys/policy/reader", ["policy": .string(policy)]).status == 204)
        let caller = await harness.request(.read, "d/caller", token: token)
        #expect(caller.status == 200)
        #expect(caller.data["accessor"] == .string(accessor))
        #expect(caller.data["identity_accessor"] == .string(accessor))
        #expect(caller.data["policies"] == .strings(["default", "reader"]))
    }

    @Test func anUnauthenticatedPathHasNoCaller() async throws {
        let harness = try await harness()
        let anonymous = await harness.core.handle(CoreRequest(operation: .read, path: "d/public"))
        #expect(anonymous.status == 200)
        #expect(anonymous.data["has_caller"] == false)
    }
}
