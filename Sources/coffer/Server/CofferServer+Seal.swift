import CofferConfig
import CofferCore
import CofferStorage
import Crypto
import Foundation
import Logging

/// How a persistent server comes up under its seal (docs/seal.md § Starting): the Shamir seal starts sealed
/// and waits for `operator init` / `operator unseal`; the static seal unseals itself once initialised.
extension CofferServer {
    /// The static seal's key from its source; nil for the Shamir seal.
    static func loadStaticKey(_ source: SealKeySource?) throws -> SymmetricKey? {
        switch source {
        case nil: nil
        case .file(let file)?: try StaticSealKey.load(file: file)
        case .text(let text)?: try StaticSealKey.parse(text)
        }
    }

    /// Reads the seal records and, on a static seal, unseals. Returns the lines to print once listening.
    ///
    /// ```swift
    /// let notice = try await startSeal(core, config: config, logger: logger)
    /// ```
    static func startSeal(_ core: Core, config: ServerConfiguration, logger: Logger) async throws -> String {
        let manager = core.sealManager
        let address = "http://\(config.address)"
        guard let stored = try await manager.load() else {
            if core.haStatus.isEnabled { watchForInitialization(core, logger: logger) }
            return """
                ==> Storage at \(config.storagePath) is not initialised. Initialise it with:

                    $ VAULT_ADDR=\(address) coffer operator init


                """
        }
        guard stored.type == manager.type else {
            throw ServerStartError(
                stored.type == .shamir
                    ? "storage at \(config.storagePath) uses the Shamir seal: remove the seal \"static\" stanza"
                    : "storage at \(config.storagePath) uses the static seal: add seal \"static\" { key_file = … }")
        }
        guard manager.type == .staticKey else {
            return """
                ==> Coffer is sealed. Unseal it with \(stored.secretThreshold) of the \(stored.secretShares) unseal keys:

                    $ VAULT_ADDR=\(address) coffer operator unseal


                """
        }
        guard let recoveryKey = try await core.autoUnseal() else {
            logger.info("storage unsealed", metadata: ["path": "\(config.storagePath)", "seal": "static"])
            return ""
        }
        // The storage predates the Shamir seal; this is its only recovery key and the only time it is shown.
        return """
            ==> Storage at \(config.storagePath) was upgraded to the two-level seal layout.

            Recovery Key: \(Data(recoveryKey).base64EncodedString())

            The recovery key is shown only this once: generate-root and rekey ask for it. Store it safely.


            """
    }
}
