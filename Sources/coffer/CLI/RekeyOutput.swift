import CofferClient

/// How `coffer operator rekey` prints statuses and new keys: Vault's `printStatus` and `printUnsealKeys` tables,
/// or the Go client's response structs with `-format=json`.
///
/// ```swift
/// RekeyOutput.printStatus(status, verification: false, cli: cli)
/// // Key                      Value
/// // ---                      -----
/// // Nonce                    8b0d…
/// // Started                  true
/// // Rekey Progress           1/3
/// ```
enum RekeyOutput {
    static func printStatus(_ status: [String: JSONValue], verification: Bool, cli: CLIContext) {
        guard cli.printer.isTable else {
            let fields: [(String, JSONValue)] =
                verification
                ? [("nonce", ""), ("started", false), ("t", 0), ("n", 0), ("progress", 0)]
                : [
                    ("nonce", ""), ("started", false), ("t", 0), ("n", 0), ("progress", 0), ("required", 0),
                    ("pgp_fingerprints", .null), ("backup", false), ("verification_required", false),
                    ("verification_nonce", ""),
                ]
            return Console.output(GoStruct.render(status, fields: fields))
        }
        let rows = verification ? verificationRows(status) : statusRows(status)
        Console.output(Table.render([["Key", "Value"]] + rows))
    }

    private static func statusRows(_ status: [String: JSONValue]) -> [[String]] {
        var rows: [[String]] = [
            ["Nonce", status["nonce"]?.stringValue ?? ""], ["Started", GoFormat.value(status["started"] ?? false)],
        ]
        if status["started"]?.boolValue == true {
            let progress = status["progress"]?.intValue ?? 0, required = status["required"]?.intValue ?? 0
            let suffix = progress == required ? " (verification in progress)" : ""
            rows += [
                ["Rekey Progress", "\(progress)/\(required)\(suffix)"],
                ["New Shares", GoFormat.value(status["n"] ?? 0)],
                ["New Threshold", GoFormat.value(status["t"] ?? 0)],
                ["Verification Required", GoFormat.value(status["verification_required"] ?? false)],
            ]
            if let verificationNonce = status["verification_nonce"]?.stringValue, !verificationNonce.isEmpty {
                rows.append(["Verification Nonce", verificationNonce])
            }
        }
        if let fingerprints = status["pgp_fingerprints"]?.stringArray, !fingerprints.isEmpty {
            rows.append(["PGP Fingerprints", GoFormat.value(status["pgp_fingerprints"])])
            rows.append(["Backup", GoFormat.value(status["backup"] ?? false)])
        }
        return rows
    }

    private static func verificationRows(_ status: [String: JSONValue]) -> [[String]] {
        [
            ["Started", GoFormat.value(status["started"] ?? false)],
            ["New Shares", GoFormat.value(status["n"] ?? 0)],
            ["New Threshold", GoFormat.value(status["t"] ?? 0)],
            ["Verification Nonce", status["nonce"]?.stringValue ?? ""],
            [
                "Verification Progress",
                "\(GoFormat.value(status["progress"] ?? 0))/\(GoFormat.value(status["t"] ?? 0))",
            ],
        ]
    }

    /// The completed rekey: `Key N: <base64>` lines, the operation nonce and Vault's advice for what comes next.
    /// `status` is the rekey status read before the final share (it holds the new shares and threshold).
    static func printKeys(
        _ answer: [String: JSONValue], status: [String: JSONValue], target: RekeyPaths.Target, cli: CLIContext
    ) {
        guard cli.printer.isTable else {
            var fields: [(String, JSONValue)] = [
                ("nonce", ""), ("complete", false), ("keys", .null), ("keys_base64", .null),
                ("pgp_fingerprints", .null), ("backup", false), ("verification_required", false),
            ]
            if answer["verification_nonce"]?.stringValue?.isEmpty == false { fields.append(("verification_nonce", "")) }
            return Console.output(GoStruct.render(answer, fields: fields))
        }
        let keys = answer["keys"]?.stringArray ?? [], keysBase64 = answer["keys_base64"]?.stringArray ?? []
        for (index, key) in keys.enumerated() {
            Console.output("Key \(index + 1): \(keysBase64.count == keys.count ? keysBase64[index] : key)")
        }
        Console.output("")
        Console.output("Operation nonce: \(answer["nonce"]?.stringValue ?? "")")
        let shares = GoFormat.value(status["n"] ?? 0), threshold = GoFormat.value(status["t"] ?? 0)
        Console.output("")
        guard answer["verification_required"]?.boolValue == true else {
            return Console.output(
                Console.wrap(
                    "Vault unseal keys rekeyed with \(shares) key shares and a key threshold of \(threshold). Please "
                        + "securely distribute the key shares printed above. When Vault is re-sealed, restarted, or "
                        + "stopped, you must supply at least \(threshold) of these keys to unseal it before it can "
                        + "start servicing requests."))
        }
        printVerificationAdvice(shares: shares, threshold: threshold, target: target)
    }

    private static func printVerificationAdvice(shares: String, threshold: String, target: RekeyPaths.Target) {
        let kind = target == .barrier ? "unseal" : "recovery"
        var advice =
            "Vault has created a new \(kind) key, split into \(shares) key shares and a key threshold of "
            + "\(threshold). These will not be active until after verification is complete. Please securely "
            + "distribute the key shares printed above."
        if target == .barrier {
            advice +=
                " When Vault is re-sealed, restarted, or stopped, you must supply at least \(threshold) of these keys "
                + "to unseal it before it can start servicing requests."
        }
        Console.output(Console.wrap(advice))
        Console.output("")
        Console.error(
            Console.wrap(
                "Again, these key shares are _not_ valid until verification is performed. Do not lose or discard your "
                    + "current key shares until after verification is complete or you will be unable to "
                    + "\(target == .barrier ? "unseal" : "authenticate with") Vault. If you cancel the rekey process "
                    + "or seal Vault before verification is complete the new shares will be discarded and the "
                    + "current shares will remain valid."))
        Console.output("")
        Console.error(Console.wrap("The current verification status, including initial nonce, is shown below."))
        Console.output("")
    }
}
