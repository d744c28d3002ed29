import ArgumentParser
import CofferClient

/// `coffer status`: seal status and HA mode (`sys/seal-status` then `sys/leader`).
/// Exits 0 when unsealed, 2 when sealed, 1 on error.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Print seal and HA status")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let sealed = try await global.withClient { cli -> Bool in
            let seal: [String: JSONValue]
            do {
                seal = try await cli.client.request("GET", "sys/seal-status").json?.objectValue ?? [:]
            } catch {
                throw fail("Error checking seal status: \(error)", code: ExitStatus.usage)
            }
            var leader: [String: JSONValue] = [:]
            do {
                leader = try await cli.client.request("GET", "sys/leader").json?.objectValue ?? [:]
            } catch let error as VaultAPIError where error.errors.contains(where: { $0.contains("Vault is sealed") }) {
                // HA is on but a sealed node cannot know its leader; Vault reports just that.
                leader = ["ha_enabled": true]
            } catch {
                throw fail("Error checking leader status: \(error)", code: ExitStatus.usage)
            }
            let isSealed = seal["sealed"]?.boolValue ?? false
            if cli.printer.isTable {
                Console.output(Table.render(Self.rows(seal: seal, leader: leader)))
            } else {
                Console.output(Self.json(seal: seal, leader: leader))
            }
            return isSealed
        }
        if sealed { throw ExitCode(ExitStatus.server) }
    }

    static func rows(seal: [String: JSONValue], leader: [String: JSONValue]) -> [[String]] {
        func text(_ key: String, in object: [String: JSONValue]) -> String { GoFormat.value(object[key] ?? "") }
        let recovery = seal["recovery_seal"]?.boolValue == true ? "Recovery " : ""
        let sealed = seal["sealed"]?.boolValue ?? false
        var rows: [[String]] = [
            ["Key", "Value"],
            ["\(recovery)Seal Type", text("type", in: seal)],
            ["Initialized", GoFormat.value(seal["initialized"] ?? false)],
            ["Sealed", GoFormat.value(seal["sealed"] ?? false)],
            ["Total \(recovery)Shares", GoFormat.value(seal["n"] ?? 0)],
            ["Threshold", GoFormat.value(seal["t"] ?? 0)],
        ]
        if sealed {
            rows.append([
                "Unseal Progress", "\(GoFormat.value(seal["progress"] ?? 0))/\(GoFormat.value(seal["t"] ?? 0))",
            ])
            rows.append(["Unseal Nonce", text("nonce", in: seal)])
        }
        if seal["migration"]?.boolValue == true { rows.append(["Seal Migration in Progress", "true"]) }
        rows.append(["Version", text("version", in: seal)])
        rows.append(["Build Date", text("build_date", in: seal)])
        rows.append(["Storage Type", text("storage_type", in: seal)])
        if let name = seal["cluster_name"]?.stringValue, !name.isEmpty, let id = seal["cluster_id"]?.stringValue,
            !id.isEmpty
        {
            rows.append(["Cluster Name", name])
            rows.append(["Cluster ID", id])
        }
        let haEnabled = leader["ha_enabled"]?.boolValue ?? false
        rows.append(["HA Enabled", String(haEnabled)])
        if haEnabled && !sealed {
            let isSelf = leader["is_self"]?.boolValue ?? false
            rows.append(["HA Cluster", text("leader_cluster_address", in: leader)])
            rows.append(["HA Mode", isSelf ? "active" : "standby"])
            if isSelf, let since = leader["active_time"]?.stringValue, !since.hasPrefix("0001-01-01") {
                rows.append(["Active Since", since])
            }
            if !isSelf {
                let address = leader["leader_address"]?.stringValue ?? ""
                rows.append(["Active Node Address", address.isEmpty ? "<none>" : address])
            }
        }
        return rows
    }

    /// Vault's `SealStatusOutput` JSON: the seal status followed by the leader fields.
    static func json(seal: [String: JSONValue], leader: [String: JSONValue]) -> String {
        var out = seal
        out["ha_enabled"] = leader["ha_enabled"] ?? false
        for key in ["is_self", "leader_address", "leader_cluster_address", "performance_standby"] {
            if let value = leader[key], value != .bool(false), value != .string("") { out[key] = value }
        }
        out["active_time"] = leader["active_time"] ?? "0001-01-01T00:00:00Z"
        let order = [
            "type", "initialized", "sealed", "t", "n", "progress", "nonce", "version", "build_date", "migration",
            "cluster_name", "cluster_id", "recovery_seal", "storage_type", "ha_enabled", "is_self", "active_time",
            "leader_address", "leader_cluster_address", "performance_standby",
        ]
        return JSONValue.object(out).formatted(keyOrder: order)
    }
}
