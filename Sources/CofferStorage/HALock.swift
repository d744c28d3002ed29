/// The lock the nodes sharing one store compete for in an HA cluster: its holder is the active node
/// (docs/ha.md). A lease with a time-to-live on the store's clock; every acquisition has a new, larger epoch.
///
/// The core's `HACoordinator` is the only caller; `PostgresHALock` is the implementation.
///
/// ```swift
/// if let epoch = try await lock.acquire(value: advertisement) {
///     lock.fenceWrites(.epoch(epoch))          // from now on a write lands only while the lease at `epoch` lives
///     _ = try await lock.renew(epoch: epoch)   // false once the lease lapsed or another node took over
///     lock.fenceWrites(.refuseAll)
///     try await lock.release(epoch: epoch)
/// }
/// ```
public protocol HALock: Sendable {
    /// This contender's identity, unique per process.
    var identity: String { get }
    /// How long a lease lasts without renewal.
    var ttl: Duration { get }
    /// Takes the lock when it is free or its lease expired, advertising `value`; the new epoch, or nil while a live
    /// lease is held (by another node, or by this one: acquire once, then renew).
    func acquire(value: String) async throws -> Int64?
    /// Extends this node's lease at `epoch`; false once it lapsed or another node took over.
    func renew(epoch: Int64) async throws -> Bool
    /// Ends this node's lease at `epoch` now, so another node may take over at once.
    func release(epoch: Int64) async throws
    /// The live lease's holder, if any.
    func holder() async throws -> HALockHolder?
    /// What every later write through the store must prove, checked inside the write's own transaction.
    func fenceWrites(_ fence: HAWriteFence)
    /// `handler` runs when a write was refused because the lease at the fenced epoch is gone.
    func onFenced(_ handler: @escaping @Sendable () -> Void)
}

/// The node holding a live lease of an ``HALock``.
public struct HALockHolder: Sendable, Equatable {
    public var identity: String
    /// What the holder advertised when it acquired the lock.
    public var value: String
    public var epoch: Int64

    public init(identity: String, value: String, epoch: Int64) {
        self.identity = identity
        self.value = value
        self.epoch = epoch
    }
}

/// What a node's writes must prove (``HALock/fenceWrites(_:)``).
public enum HAWriteFence: Sendable, Equatable {
    /// No HA, or a sealed node (whose only writes are `sys/init`'s, refused once initialised).
    case unfenced
    /// The active node: a write lands only while this node holds a live lease at this epoch.
    case epoch(Int64)
    /// A standby: every write is refused.
    case refuseAll
}

/// A write refused by the HA fence: this node is not (or no longer) the active node.
public struct HAFencedError: Error, CustomStringConvertible {
    /// The epoch the write was fenced at; nil when the node was a standby.
    public let epoch: Int64?

    public init(epoch: Int64?) { self.epoch = epoch }

    public var description: String {
        guard let epoch else { return "this node is a standby: it does not write" }
        return "the HA lock is no longer held at epoch \(epoch): this node is not active"
    }
}
