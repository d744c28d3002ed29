import CofferFramework
import CofferPolicy
import CofferStorage
import Crypto
import Foundation
import Logging
import Synchronization

/// Server-wide settings the core needs.
public struct CoreConfiguration: Sendable {
    /// Seconds; the system default/max lease TTL (768h unless configured).
    public var defaultLeaseTTL: Int64 = TokenTTL.systemDefault
    public var maxLeaseTTL: Int64 = TokenTTL.systemDefault
    /// Backend types users can mount (besides the built-in system, token, cubbyhole and identity).
    public var catalog: [BackendFactory] = []
    /// Reported by `sys/seal-status` (`inmem`, `sqlite`).
    public var storageType = "inmem"
    /// This server's externally reachable address; the default issuer of plugin identity tokens.
    public var apiAddress = "http://127.0.0.1:8200"
    public var logger = Logger(label: "coffer.core")
    public var clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }
    /// Time between passes of a backend's periodic work when the backend names none (Vault: a minute).
    public var periodicInterval = Duration.seconds(60)
    /// Where this core's metrics go (docs/metrics.md); each core has its own unless the server passes one in.
    public var metrics = CofferMetrics()
    /// The static seal's key (`seal "static"`); nil for the Shamir seal (docs/seal.md).
    public var staticSealKey: SymmetricKey? = nil
    /// `cluster_name` from the configuration; nil keeps the stored (or generated) name.
    public var clusterName: String? = nil
    /// Token entries kept in memory, least recently used evicted first (`cache_size` / 4 in a server's file).
    public var tokenCacheSize = TokenStore.defaultCacheLimit
    /// Set for a node of an HA cluster (docs/ha.md); nil for a single node.
    public var ha: HAConfiguration? = nil
    /// Whether token expiries are stored in the expiration index (docs/expiration.md). Off for in-memory storage,
    /// where nothing outlives the process: the schedule is then kept whole in memory, which costs less per token
    /// than an index key in memory.
    public var persistsExpirationIndex = true

    public init() {}
}

/// The heart of the server: seal state, mount table and router, token store, policies, identity,
/// and the request pipeline (token check → ACL → backend → token issue).
///
/// ```swift
/// let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
/// let rootToken = try await core.initialize(sealKey: key)      // static seal; Shamir: core.initializeSeal(…)
/// let response = await core.handle(CoreRequest(operation: .read, path: "sys/mounts", token: rootToken))
/// ```
public final class Core: Sendable {
    /// Everything that exists only while unsealed.
    struct Unsealed: Sendable {
        let tokens: TokenStore
        let policies: PolicyStore
        let identity: IdentityStore
        let expiration: ExpirationManager
        let pluginIssuer: PluginIdentityIssuer
    }

    public let barrier: Barrier
    public let configuration: CoreConfiguration
    /// Seal records, key shares and the unseal attempt (`Seal/`).
    public let sealManager: SealManager
    /// Root generation and rekey attempts (`Seal/Core+GenerateRoot.swift`, `Seal/Core+Rekey.swift`).
    public let keyAttempts = KeyAttempts()
    let router = Router()
    /// Timers of the mounted backends' periodic work (`Mounts/PeriodicDriver.swift`).
    let periodic: PeriodicDriver
    let state = Mutex<Unsealed?>(nil)
    let mountLock = AsyncLock()
    let logger: Logger
    let initializedFlag = Mutex(false)
    /// The enabled audit devices (`Audit/`); loaded at unseal, closed at seal.
    public let audit: AuditBroker
    /// Loaded at unseal (`ClusterIdentity`); empty before the first unseal.
    let clusterIdentity = Mutex(ClusterIdentity(name: "", id: ""))
    public var clusterID: String { clusterIdentity.withLock { $0.id } }
    public var clusterName: String { clusterIdentity.withLock { $0.name } }
    /// The HA election (`HA/`); nil for a single node.
    let ha: HACoordinator?
    /// The cluster's key for signing forwarded requests (`HA/ForwardedRequestSignature.swift`), once read.
    let forwardingKey = Mutex<SymmetricKey?>(nil)

    public init(barrier: Barrier, configuration: CoreConfiguration) {
        self.barrier = barrier
        self.configuration = configuration
        self.sealManager = SealManager(barrier: barrier, staticKey: configuration.staticSealKey)
        self.logger = configuration.logger
        self.audit = AuditBroker(
            logger: configuration.logger, clock: configuration.clock, metrics: configuration.metrics)
        self.periodic = PeriodicDriver(defaultInterval: configuration.periodicInterval, logger: configuration.logger)
        self.ha = configuration.ha.map {
            HACoordinator(configuration: $0, logger: configuration.logger, clock: configuration.clock)
        }
        ha?.bind(
            activate: { [weak self] in try await self?.becomeActive() },
            deactivate: { [weak self] in await self?.tearDownActive() })
    }

    public var now: Double { configuration.clock() }
    /// Whether storage holds a keyring, as last seen (cheap: `sys/health` is polled).
    public var isInitializedCached: Bool { initializedFlag.withLock { $0 } || sealManager.configuration != nil }
    public var storageType: String { configuration.storageType }
    /// Whether the barrier is sealed. An unsealed standby of an HA cluster is not sealed, but not ``isActive`` either.
    public var isSealed: Bool { ha == nil ? state.withLock { $0 == nil } : barrier.isSealed }

    /// What a standby answers for work only the active node does (Vault's `ErrStandby`).
    public static let standbyMessage = "Vault is in standby mode"

    func unsealed() throws -> Unsealed {
        guard let current = state.withLock({ $0 }) else {
            // An unsealed standby serves nothing itself; the HTTP layer forwards its requests.
            throw isSealed ? LogicalError.sealed : LogicalError(status: 503, messages: [Self.standbyMessage])
        }
        return current
    }

    // MARK: lifecycle

    public func isInitialized() async throws -> Bool { try await barrier.isInitialized() }

    /// Initialises storage under a static seal with `sealKey` (one recovery share, not returned) and leaves it
    /// unsealed: returns a new root token (or one with `rootTokenID`, as `-dev-root-token-id`).
    public func initialize(sealKey: SymmetricKey, rootTokenID: String? = nil) async throws -> String {
        sealManager.setStaticKey(sealKey)
        let result = try await initializeSeal(
            SealInitRequest(recoveryShares: 1, recoveryThreshold: 1), rootTokenID: rootTokenID)
        return result.rootToken
    }

    /// Unseals storage of a static seal with `sealKey` (also storage from before the Shamir seal).
    public func unseal(sealKey: SymmetricKey) async throws {
        sealManager.setStaticKey(sealKey)
        _ = try await autoUnseal()
    }

    public func seal() async {
        let wasUnsealed = !barrier.isSealed
        await ha?.stop()
        await tearDownActive()
        barrier.seal()
        forwardingKey.withLock { $0 = nil }
        if wasUnsealed { metrics.sealChanged(sealed: true) }
        sealManager.clearAttempt()
    }

    /// Drops everything an unsealed node serves with (tokens, policies, mounts, audit devices, periodic work, the
    /// expiration schedule, key attempts): at seal, and when an HA node steps down.
    func tearDownActive() async {
        let old = state.withLock { current -> Unsealed? in
            let old = current
            current = nil
            return old
        }
        old?.expiration.stop()
        await audit.closeAll()
        await periodic.stopAll()
        for route in router.all { await route.backend.cleanup() }
        router.replace([])
        keyAttempts.wipe()
    }

    func setupUnsealed() async throws {
        let cluster = try await ClusterIdentity.load(storage: barrier, configuredName: configuration.clusterName)
        clusterIdentity.withLock { $0 = cluster }
        let tokens = try await TokenStore.load(
            storage: barrier, cacheLimit: configuration.tokenCacheSize,
            indexesExpiry: configuration.persistsExpirationIndex)
        let policies = try await PolicyStore.load(storage: barrier)
        let identity = IdentityStore(storage: barrier)
        let pluginIssuer = try await PluginIdentityIssuer.load(
            storage: barrier, defaultIssuer: configuration.apiAddress, clock: configuration.clock)
        let expiration = ExpirationManager(store: tokens, logger: logger, clock: configuration.clock)
        tokens.setExpirationHandler { hash, expireTime in
            expiration.schedule(hash: hash, expireTime: expireTime)
        } dropped: { hash, expireTime in
            expiration.dropped(hash: hash, expireTime: expireTime)
        }
        let router = self.router
        tokens.setRevocationHandler { hash in
            // A revoked token's cubbyhole is deleted with it (its data was reachable only through that token).
            guard let (route, _) = router.match("cubbyhole/"), route.mount.type == "cubbyhole" else { return }
            let cubbyhole = StorageView(route.storage, prefix: hash + "/")
            for key in try await cubbyhole.listRecursive(prefix: "") { try await cubbyhole.delete(key) }
        }
        let unsealed = Unsealed(
            tokens: tokens, policies: policies, identity: identity, expiration: expiration, pluginIssuer: pluginIssuer)
        // Audit devices come first, so no request is ever served unaudited while devices are configured.
        try await loadAuditDevices()
        state.withLock { $0 = unsealed }
        initializedFlag.withLock { $0 = true }
        try await loadMounts()
        try await expiration.restore()
        expiration.start()
        metrics.sealChanged(sealed: false)
    }

    func createRootToken(id: String?) async throws -> String {
        let tokens = try unsealed().tokens
        let tokenID = id ?? TokenStore.newServiceTokenID()
        var entry = TokenEntry(
            idHash: "", accessor: TokenStore.newAccessor(), parentHash: nil, policies: ["root"],
            path: id == nil ? "auth/token/root" : "auth/token/create", meta: nil,
            displayName: id == nil ? "root" : "token",
            numUses: 0, creationTime: now, ttl: 0, explicitMaxTTL: 0, period: 0, maxTTL: 0, renewable: false,
            type: .service, boundCIDRs: [], entityID: "")
        entry.createdByID = id != nil
        _ = try await tokens.create(entry, id: tokenID)
        return tokenID
    }

    // MARK: token resolution

    /// The live token entry for a client token string, or nil.
    public func resolveToken(_ token: String?, remoteAddress: String?) async throws -> TokenEntry? {
        guard let token, !token.isEmpty else { return nil }
        let unsealed = try unsealed()
        guard let entry = try await unsealed.tokens.lookup(id: token, now: now) else { return nil }
        if !entry.boundCIDRs.isEmpty, !(entry.isRoot && entry.ttl == 0) {
            guard let remoteAddress, CIDR.contains(entry.boundCIDRs, address: remoteAddress) else { return nil }
        }
        if !entry.entityID.isEmpty, let entity = try await unsealed.identity.entity(id: entry.entityID), entity.disabled
        {
            return nil
        }
        return entry
    }

    /// Token policies plus the entity's identity policies (its own and its groups', docs/identity.md), sorted and
    /// unique; recomputed on every request, so a group change applies at once.
    func effectivePolicies(_ entry: TokenEntry) async throws -> (all: [String], identity: [String]) {
        guard !entry.entityID.isEmpty else { return (entry.policies, []) }
        // Never `root` (refused at write, and stored data is not trusted for it: `policies(entityID:)` drops it).
        let identity = try await unsealed().identity.policies(entityID: entry.entityID)
        guard !identity.isEmpty else { return (entry.policies, []) }
        return (Array(Set(entry.policies + identity)).sorted(), identity)
    }

    func acl(for entry: TokenEntry) async throws -> ACL {
        let unsealed = try unsealed()
        let (policies, _) = try await effectivePolicies(entry)
        var context: TemplateContext? = nil
        if !entry.entityID.isEmpty, let entity = try await unsealed.identity.entity(id: entry.entityID) {
            context = TemplateContext(entity: entity)
        }
        // Root comes only from the token's own list being exactly `["root"]`.
        let names = entry.isRoot ? ["root"] : policies.filter { $0 != "root" }
        return try await unsealed.policies.acl(for: names, context: context)
    }
}
