import CofferFramework
import CofferPolicy
import CofferStorage
import Foundation

/// `sys/seal-status` and `sys/seal` (docs/seal.md).
extension Core {
    /// The seal as clients see it; cheap (no storage reads), so `sys/health` and seal-status can poll it.
    ///
    /// ```swift
    /// let status = core.sealStatus()      // status.type == .shamir, status.threshold == 3 …
    /// ```
    public func sealStatus() -> SealStatus {
        let configuration = sealManager.configuration
        let sealed = isSealed
        let (progress, nonce) = sealManager.attempt.withLock { ($0.progress, $0.nonce) }
        let type = configuration?.type ?? sealManager.type
        return SealStatus(
            type: type, initialized: isInitializedCached, sealed: sealed,
            threshold: configuration?.shownThreshold ?? 0, shares: configuration?.shownShares ?? 0,
            progress: sealed ? progress : 0, nonce: sealed ? nonce : "", recoverySeal: type.usesRecoveryKeys,
            storageType: storageType, clusterName: sealed ? nil : clusterName, clusterID: sealed ? nil : clusterID)
    }

    /// `PUT sys/seal`: the token needs `update` and sudo on `sys/seal` (root passes); the request entry is audited.
    /// Already sealed: a no-op without any check, as Vault.
    ///
    /// ```swift
    /// try await core.seal(token: rootToken, remoteAddress: "127.0.0.1")    // LogicalError 403 when denied
    /// ```
    public func seal(token: String?, remoteAddress: String?) async throws(LogicalError) {
        guard try await authorizeSudo(path: "sys/seal", token: token, remoteAddress: remoteAddress) else { return }
        await sealManager.transitions.lock()
        defer { sealManager.transitions.unlock() }
        await seal()
    }

    /// Token check, audit request entry, then `update` + sudo on `path`, in Vault's order for its raw sudo
    /// endpoints. False when the server is (or became) sealed: nothing to check, nothing to do.
    func authorizeSudo(path: String, token: String?, remoteAddress: String?) async throws(LogicalError) -> Bool {
        guard !isSealed else { return false }
        do {
            let unsealed = try unsealed()
            let request = CoreRequest(
                id: Hex.uuid(), operation: .update, path: path, token: token, remoteAddress: remoteAddress)
            let (entry, lastUse) = try await authenticate(request, tokens: unsealed.tokens)
            if lastUse { try? await unsealed.tokens.finishLastUse(entry) }
            do {
                try await auditNonLogical(request)
            } catch {
                throw LogicalError(status: 500, messages: ["failed to audit request, cannot continue"])
            }
            let result = try await acl(for: entry).evaluate(ACLOperation.update, path: path)
            guard result.allowed, result.rootPrivileges else { throw LogicalError.permissionDenied }
            return true
        } catch let error as LogicalError {
            if error == .sealed { return false }
            throw error
        } catch StorageError.sealed {
            return false
        } catch {
            logger.error("sudo check failed", metadata: ["path": "\(path)", "error": "\(error)"])
            throw LogicalError.internalError
        }
    }
}
