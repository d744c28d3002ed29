import CofferClient
import Foundation

/// The seed's Go example in Swift: log in with this machine's Azure managed identity (role
/// `dev-role-azure` at mount `azure`), read KV v2 `secret/creds` and print its `password`.
///
/// ```sh
/// VAULT_ADDR=http://127.0.0.1:8200 AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:8480 \
///     swift run GetSecretWithAzureAuth          # prints the password; on failure the Go wording, exit 1
/// ```
@main
enum GetSecretWithAzureAuth {
    static func main() async {
        do {
            print(try await getSecretWithAzureAuth())
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
    }

    /// Fetches a key-value secret (kv-v2) after authenticating via Azure authentication.
    static func getSecretWithAzureAuth() async throws -> String {
        let client: VaultClient
        do {
            client = try VaultClient()  // VAULT_ADDR and friends, like the Go client's DefaultConfig
        } catch {
            throw Failure("unable to initialize Vault client: \(error)")
        }
        do {
            let value = try await readPassword(client)
            try? await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private static func readPassword(_ client: VaultClient) async throws -> String {
        let azureAuth: AzureAuthLogin
        do {
            azureAuth = try AzureAuthLogin(role: "dev-role-azure")
        } catch {
            throw Failure("unable to initialize Azure auth method: \(error)")
        }
        let authInfo: VaultResponse?
        do {
            authInfo = try await client.login(azureAuth)
        } catch {
            throw Failure("unable to login to Azure auth method: \(error)")
        }
        guard authInfo != nil else { throw Failure("no auth info was returned after login") }

        // The default mount path for KV v2 in dev mode, "secret".
        let secret: KVSecret
        do {
            secret = try await client.kvV2(mount: "secret").get("creds")
        } catch {
            throw Failure("unable to read secret: \(error)")
        }
        // The data map can hold more than one key-value pair; this example needs one of them.
        let field = secret.data?["password"]
        guard let value = field?.stringValue else {
            throw Failure("value type assertion failed: \(GoValue.typeName(field)) \(GoValue.syntax(field))")
        }
        return value
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// How Go's `%T` and `%#v` print a value the Vault Go client decoded from JSON (numbers are
/// `json.Number`, objects `map[string]interface {}`), so failures read as the Go example's do.
enum GoValue {
    static func typeName(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "<nil>"
        case .string?: return "string"
        case .bool?: return "bool"
        case .int?, .double?: return "json.Number"
        case .array?: return "[]interface {}"
        case .object?: return "map[string]interface {}"
        }
    }

    static func syntax(_ value: JSONValue?, nested: Bool = false) -> String {
        switch value {
        case nil, .null?: return nested ? "interface {}(nil)" : "<nil>"
        case .string(let text)?: return JSONValue.string(text).formatted()
        case .bool(let flag)?: return flag ? "true" : "false"
        case .int(let number)?: return "\"\(number)\""
        case .double(let number)?: return "\"\(number)\""
        case .array(let elements)?:
            return "[]interface {}{" + elements.map { syntax($0, nested: true) }.joined(separator: ", ") + "}"
        case .object(let object)?:
            let pairs = object.keys.sorted().map {
                "\(JSONValue.string($0).formatted()):\(syntax(object[$0], nested: true))"
            }
            return "map[string]interface {}{" + pairs.joined(separator: ", ") + "}"
        }
    }
}
