import CofferClient

/// Vault's `OutputSealStatus`: a `sys/seal-status` answer printed with the leader fields, as `coffer status`,
/// `coffer operator unseal` and `coffer operator init -status`'s neighbours show it.
///
/// ```swift
/// let status = try await cli.client.request("PUT", "sys/unseal", body: ["key": .string(key)])
/// try await SealStatusOutput.print(status.json?.objectValue ?? [:], cli: cli)
/// ```
enum SealStatusOutput {
    /// Reads `sys/leader` (a sealed HA node cannot answer it; that is shown as HA enabled, like Vault) and prints
    /// the table or JSON; a leader error ends the command with exit 1 as Vault's does.
    static func print(_ seal: [String: JSONValue], cli: CLIContext) async throws {
        var leader: [String: JSONValue] = [:]
        do {
            leader = try await cli.client.request("GET", "sys/leader").json?.objectValue ?? [:]
        } catch let error as VaultAPIError where error.errors.contains(where: { $0.contains("Vault is sealed") }) {
            leader = ["ha_enabled": true]
        } catch {
            throw fail("Error checking leader status: \(error)", code: ExitStatus.usage)
        }
        if cli.printer.isTable {
            Console.output(Table.render(StatusCommand.rows(seal: seal, leader: leader)))
        } else {
            Console.output(StatusCommand.json(seal: seal, leader: leader))
        }
    }
}
