import CofferClient
import Foundation

extension LoginCommand {
    /// `-method=approle role_id=<id> secret_id=<id|-> [mount=approle]`: logs in with a role id and a secret id
    /// (``AppRoleLoginArguments``).
    func appRoleLogin() async throws {
        let login: AppRoleLoginArguments
        do {
            login = try AppRoleLoginArguments.parse(arguments)
        } catch {
            throw fail("Error authenticating: \(error)", code: ExitStatus.usage)
        }
        try await global.withClient { cli in
            let answer: VaultResponse
            do {
                answer = try await cli.client.request(
                    "PUT", login.loginPath, body: .object(login.body), headers: ["X-Vault-Token": ""])
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
