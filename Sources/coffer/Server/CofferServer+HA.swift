import CofferConfig
import CofferCore
import CofferStorage
import Logging

/// A server on a store with `ha_enabled = true` joins an HA cluster (docs/ha.md): its addresses come from
/// `api_addr` / `cluster_addr`, and a node started before the cluster was initialised waits for the init another node
/// receives.
extension CofferServer {
    /// What this node advertises when active; refuses to start without an `api_addr` (standbys forward to it, and
    /// PostgreSQL cannot discover it) or with the same address for API and cluster (Vault's rule). Checked before the
    /// store is opened, so a refused start leaves nothing behind.
    ///
    /// ```swift
    /// let advertisement = try haAdvertisement(config)
    /// coreConfig.ha = HAConfiguration(lock: lock, advertisement: advertisement, disableForwarding: false)
    /// ```
    static func haAdvertisement(_ config: ServerConfiguration) throws -> HAAdvertisement {
        guard let apiAddress = config.apiAddress, !apiAddress.isEmpty else {
            throw ServerStartError(
                "ha_enabled = true needs api_addr (or VAULT_API_ADDR): the address other nodes forward clients to")
        }
        let clusterAddress =
            config.clusterAddress.flatMap { $0.isEmpty ? nil : $0 }
            ?? HAAdvertisement.defaultClusterAddress(apiAddress: apiAddress)
        guard clusterAddress != apiAddress else {
            throw ServerStartError("Address \"\(apiAddress)\" used for both API and cluster addresses")
        }
        return HAAdvertisement(apiAddress: apiAddress, clusterAddress: clusterAddress)
    }

    /// Until another node initialises the shared store, checks every second; then a static seal unseals itself and a
    /// Shamir node learns its seal configuration (so `sys/unseal` and `sys/seal-status` work). Ends once this node is
    /// initialised by any route, or the core is gone.
    static func watchForInitialization(_ core: Core, logger: Logger) {
        Task { [weak core] in
            while let node = core, !node.isInitializedCached {
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
                // The read cache remembers the seal records' absence from this node's start.
                node.barrier.purgeCachedReads()
                guard (try? await node.sealManager.load()) != nil else { continue }
                guard node.sealManager.type == .staticKey, node.isSealed else { return }
                do {
                    _ = try await node.autoUnseal()
                    logger.info("the cluster was initialised by another node; unsealed with the static seal")
                } catch {
                    logger.error("auto-unseal after the cluster's initialisation failed", metadata: ["error": "\(error)"])
                }
                return
            }
        }
    }
}
