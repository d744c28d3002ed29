import ArgumentParser
import CofferClient

/// `coffer kv …`: the KV helpers; every command first asks the server which KV version owns the
/// path (`sys/internal/ui/mounts/<path>`) and inserts `data/`, `metadata/`… for version 2.
struct KVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv", abstract: "Interact with Vault's Key-Value storage",
        subcommands: [
            Put.self, Get.self, Patch.self, Delete.self, Undelete.self, Destroy.self, List.self, KVMetadataCommand.self,
        ])

    /// Prints `== Secret Path ==` and the version metadata a write returns (`kv put`/`kv patch`).
    static func printWriteResult(_ secret: VaultResponse?, path: String, cli: CLIContext) throws {
        guard let secret else {
            if cli.printer.isTable { Console.output("Success! Data written to: \(path)") }
            return
        }
        if let field = cli.printer.field {
            try cli.printer.rawField(Printer.rawField(in: secret.json, named: field), named: field)
            return
        }
        guard cli.printer.isTable else {
            cli.printer.secret(secret.json)
            return
        }
        printPath(path, title: "Secret Path")
        let metadata = secret.data ?? [:]
        Console.output(Table.header("Metadata", forKeys: metadata.keys))
        cli.printer.data(.object(metadata))
    }

    /// Vault's `outputPath`: a `== Title ==` line, the path, a blank line.
    static func printPath(_ path: String, title: String) {
        Console.output(Table.padEqualSigns(title, totalLength: path.utf8.count))
        Console.output(path)
        Console.output("")
    }

    static func parseData(_ arguments: ArraySlice<String>) throws -> [String: JSONValue] {
        do {
            return try KeyValueArguments.parse(Array(arguments))
        } catch {
            throw fail("Failed to parse K=V data: \(error)", code: ExitStatus.usage)
        }
    }

    /// `-versions=1,2` (repeatable) as the list of strings Vault sends.
    static func versions(_ flags: [String]) -> JSONValue {
        .array(flags.flatMap { $0.split(separator: ",") }.map { .string(String($0).trimmed) }.filter { $0 != "" })
    }

    /// `coffer kv put [-cas=N] [-mount=m] <path> k=v…`.
    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "put", abstract: "Set or update data in the KV store")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("cas"), help: "Check-and-set version (0: only if the key does not exist).") var cas = -1
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            guard let first = arguments.first else {
                throw fail("Not enough arguments (expected >1, got 0)", code: ExitStatus.usage)
            }
            guard arguments.count > 1 else { throw fail("Must supply data", code: ExitStatus.usage) }
            let data = try KVCommand.parseData(arguments.dropFirst())
            try await global.withClient { cli in
                let kv = try await KVMount.resolve(first, mountFlag: mount, cli: cli)
                let path = kv.apiPath("data")
                var body: JSONValue = .object(data)
                if kv.isV2 {
                    let options: JSONValue = cas > -1 ? ["cas": .int(Int64(cas))] : [:]
                    body = ["data": .object(data), "options": options]
                }
                let secret = try await cli.call("Error writing data to \(path)") {
                    try await cli.client.write(path, data: body)
                }
                try KVCommand.printWriteResult(secret, path: path, cli: cli)
            }
        }
    }

    /// `coffer kv get [-version=N] [-mount=m] <path>`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Retrieve data from the KV store")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("version")) var version = 0
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            try await global.withClient { cli in
                let kv = try await KVMount.resolve(arguments[0], mountFlag: mount, cli: cli)
                let path = kv.apiPath("data")
                let query = kv.isV2 && version > 0 ? ["version": String(version)] : [:]
                let secret = try await cli.call("Error reading \(path)") {
                    try await cli.client.read(path, query: query)
                }
                guard let secret else { throw fail("No value found at \(path)") }
                try print(secret, path: path, isV2: kv.isV2, cli: cli)
            }
        }

        private func print(_ secret: VaultResponse, path: String, isV2: Bool, cli: CLIContext) throws {
            let printer = cli.printer
            if let field = printer.field {
                guard isV2 else {
                    return try printer.rawField(Printer.rawField(in: secret.json, named: field), named: field)
                }
                guard let data = secret.data?["data"], let values = data.objectValue else {
                    throw fail("No data found at \(path)")
                }
                // `-field=data` means the data block itself unless the secret has a key named "data".
                if field == "data" && values["data"] == nil {
                    return try printer.rawField(data, named: field)
                }
                return try printer.rawField(values[field], named: field)
            }
            guard printer.isTable, secret.wrapInfo == nil else {
                printer.secret(secret.json)
                return
            }
            printer.printWarnings(secret.json)
            if isV2 { KVCommand.printPath(path, title: "Secret Path") }
            if let metadata = secret.data?["metadata"]?.objectValue {
                Console.output(Table.header("Metadata", forKeys: metadata.keys))
                printer.data(.object(metadata))
                Console.output("")
            }
            let data = isV2 ? secret.data?["data"]?.objectValue : secret.data
            if let data {
                Console.output(Table.header("Data", forKeys: data.keys))
                printer.data(.object(data))
            }
        }
    }

    /// `coffer kv patch [-cas=N] [-method=patch|rw] [-remove=k] <path> k=v…` (KV v2 only).
    struct Patch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "patch", abstract: "Set or update data in the KV store without overwriting")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("cas")) var cas = -1
        @Option(name: .vault("method"), help: "patch (HTTP PATCH) or rw (read, then write).") var method: String?
        @Option(name: .vault("remove"), help: "Key to remove; repeat for more.") var remove: [String] = []
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            guard let first = arguments.first else {
                throw fail("Not enough arguments (expected >1, got 0)", code: ExitStatus.usage)
            }
            guard arguments.count > 1 || !remove.isEmpty else { throw fail("Must supply data", code: ExitStatus.usage) }
            var data = try KVCommand.parseData(arguments.dropFirst())
            for key in remove { data[key] = .null }
            let update = data
            try await global.withClient { cli in
                let kv = try await KVMount.resolve(first, mountFlag: mount, cli: cli)
                guard kv.isV2 else { throw fail("K/V engine mount must be version 2 for patch support") }
                let path = kv.apiPath("data")
                let secret: VaultResponse?
                switch method {
                case "rw": secret = try await readThenWrite(path, update: update, cli: cli)
                case "patch", nil:
                    secret = try await mergePatch(path, update: update, fallBack: method == nil, cli: cli)
                case let other?: throw fail("Unsupported method provided to -method flag: \(other)")
                }
                try KVCommand.printWriteResult(secret, path: path, cli: cli)
            }
        }

        private func options() -> JSONValue { cas > -1 ? ["cas": .int(Int64(cas))] : [:] }

        private func mergePatch(_ path: String, update: [String: JSONValue], fallBack: Bool, cli: CLIContext)
            async throws -> VaultResponse?
        {
            do {
                return try await cli.client.patch(path, data: ["data": .object(update), "options": options()])
            } catch let error as VaultAPIError where fallBack && error.statusCode == 405 {
                // Servers without HTTP PATCH support: Vault's CLI falls back to read-then-write.
                return try await readThenWrite(path, update: update, cli: cli)
            } catch let error as VaultAPIError where error.statusCode == 404 {
                throw fail("No value found at \(path)")
            } catch {
                throw fail("Error writing data to \(path): \(error)")
            }
        }

        private func readThenWrite(_ path: String, update: [String: JSONValue], cli: CLIContext) async throws
            -> VaultResponse?
        {
            let current = try await cli.call("Error doing pre-read at \(path)") { try await cli.client.read(path) }
            guard let current, let existing = current.data else { throw fail("No value found at \(path)") }
            guard let metadata = existing["metadata"]?.objectValue else {
                throw fail("No metadata found at \(path); patch only works on existing data")
            }
            guard var values = existing["data"]?.objectValue else { throw fail("No data found at \(path)") }
            for (key, value) in update {
                if value.isNull { values.removeValue(forKey: key) } else { values[key] = value }
            }
            let version = metadata["version"]?.intValue ?? 0
            let options: JSONValue = ["cas": .int(cas > -1 ? Int64(cas) : version)]
            return try await cli.call("Error writing data to \(path)") {
                try await cli.client.write(path, data: ["data": .object(values), "options": options])
            }
        }
    }

    /// `coffer kv delete [-versions=1,2] [-mount=m] <path>`: soft-delete the latest or given versions.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete versions in the KV store")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("versions")) var versions: [String] = []
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            try await global.withClient { cli in
                let kv = try await KVMount.resolve(arguments[0], mountFlag: mount, cli: cli)
                let path: String
                let secret: VaultResponse?
                if kv.isV2 && !versions.isEmpty {
                    path = kv.apiPath("delete")
                    let body: JSONValue = ["versions": KVCommand.versions(versions)]
                    secret = try await cli.call("Error deleting \(path)") {
                        try await cli.client.write(path, data: body)
                    }
                } else {
                    path = kv.apiPath("data")
                    secret = try await cli.call("Error deleting \(path)") { try await cli.client.delete(path) }
                }
                guard let secret else {
                    if cli.printer.isTable { Console.output("Success! Data deleted (if it existed) at: \(path)") }
                    return
                }
                cli.printer.secret(secret.json)
            }
        }
    }

    /// `coffer kv undelete -versions=1,2 <path>`.
    struct Undelete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "undelete", abstract: "Undelete versions in the KV store")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("versions")) var versions: [String] = []
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            try await KVCommand.writeVersions(
                "undelete", versions: versions, arguments: arguments, mount: mount, global: global)
        }
    }

    /// `coffer kv destroy -versions=1,2 <path>`: permanently remove version data.
    struct Destroy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "destroy", abstract: "Permanently remove versions in the KV store")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("versions")) var versions: [String] = []
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            try await KVCommand.writeVersions(
                "destroy", versions: versions, arguments: arguments, mount: mount, global: global)
        }
    }

    /// `undelete`/`destroy`: `PUT <mount>/<action>/<path>` `{"versions": […]}`.
    static func writeVersions(
        _ action: String, versions: [String], arguments: [String], mount: String?, global: GlobalOptions
    ) async throws {
        try expectArguments(arguments, count: 1)
        guard !versions.isEmpty else {
            throw fail(
                "No versions provided, use the \"-versions\" flag to specify the version to \(action).",
                code: ExitStatus.usage)
        }
        try await global.withClient { cli in
            let kv = try await KVMount.resolve(arguments[0], mountFlag: mount, cli: cli)
            guard kv.isV2 else {
                throw fail(
                    "\(action.prefix(1).uppercased() + action.dropFirst()) not supported on KV Version 1",
                    code: ExitStatus.usage)
            }
            let path = kv.apiPath(action)
            let body: JSONValue = ["versions": KVCommand.versions(versions)]
            let secret = try await cli.call("Error writing data to \(path)") {
                try await cli.client.write(path, data: body)
            }
            guard let secret else {
                if cli.printer.isTable { Console.output("Success! Data written to: \(path)") }
                return
            }
            cli.printer.secret(secret.json)
        }
    }

    /// `coffer kv list [-mount=m] <path>` → `LIST <mount>/metadata/<path>`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List data or secrets")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            if mount == nil || !arguments.isEmpty { try expectArguments(arguments, count: 1) }
            try await global.withClient { cli in
                let kv = try await KVMount.resolve(sanitizePath(arguments.first ?? ""), mountFlag: mount, cli: cli)
                try await ListCommand.list(kv.apiPath("metadata"), cli: cli)
            }
        }
    }
}

/// `coffer kv metadata get [-mount=m] <path>`: key metadata and every version's state.
struct KVMetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata", abstract: "Interact with Vault's Key-Value storage metadata",
        subcommands: [Get.self])

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get", abstract: "Retrieve key metadata from the KV store")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("mount")) var mount: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            try await global.withClient { cli in
                let kv = try await KVMount.resolve(arguments[0], mountFlag: mount, cli: cli)
                guard kv.isV2 else { throw fail("Metadata not supported on KV Version 1", code: ExitStatus.usage) }
                let path = kv.apiPath("metadata")
                let secret = try await cli.call("Error reading \(path)") { try await cli.client.read(path) }
                guard let secret else { throw fail("No value found at \(path)") }
                if let field = cli.printer.field {
                    return try cli.printer.rawField(Printer.rawField(in: secret.json, named: field), named: field)
                }
                guard cli.printer.isTable else {
                    cli.printer.secret(secret.json)
                    return
                }
                var metadata = secret.data ?? [:]
                let versions = metadata.removeValue(forKey: "versions")?.objectValue ?? [:]
                KVCommand.printPath(path, title: "Metadata Path")
                Console.output(Table.header("Metadata", forKeys: metadata.keys))
                cli.printer.data(.object(metadata))
                for number in versions.keys.compactMap(Int.init).sorted() {
                    let version = versions[String(number)]?.objectValue ?? [:]
                    Console.output("\n" + Table.header("Version \(number)", forKeys: version.keys))
                    cli.printer.data(.object(version))
                }
            }
        }
    }
}
