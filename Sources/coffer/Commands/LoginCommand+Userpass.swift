import CofferClient
import Foundation

extension LoginCommand {
    /// `-method=userpass username=<u> [password=<p>] [mount=userpass]`: asks for the password on the terminal
    /// (without echo; one line of stdin when stdin is not a terminal) unless it was given.
    func userpassLogin() async throws {
        let login: UserpassLoginArguments
        let password: String
        do {
            login = try UserpassLoginArguments.parse(arguments, environment: ProcessInfo.processInfo.environment)
            password = try login.password ?? SecretPrompt.read("Password (will be hidden): ", to: .standardError)
        } catch {
            throw fail("Error authenticating: \(error)", code: ExitStatus.usage)
        }
        try await global.withClient { cli in
            let answer: VaultResponse
            do {
                answer = try await cli.client.request(
                    "PUT", login.loginPath, body: ["password": .string(password)], headers: ["X-Vault-Token": ""])
            } catch {
                throw fail("Error authenticating: \(error)")
            }
            guard answer.authInfo != nil, let json = answer.json else {
                throw fail("Error authenticating: the login answer carries no client token")
            }
            try finish(json, cli: cli)
        }
    }
}
